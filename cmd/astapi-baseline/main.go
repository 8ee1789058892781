// Command astapi-baseline is the yardstick of `make bench` (SPEC §9): a
// bare gin server that answers each route with a fixed body after the
// Basic Auth check astapi makes on a credential cache hit. It runs as a
// process of its own, so that a load generator (wrk) measures it and
// `astapi serve` alike.
//
// The check is astapi's, step for step: the user is found by name in a
// map, the (user, bcrypt hash) pair is named by a seeded 64-bit hash, a
// keyed SHA-256 of (name, password) is looked up in an LRU under that name
// and compared in constant time; only the first request of a user runs
// bcrypt. Nothing else: no parameters, no ETag or cache headers, no
// metrics, no access log. The HTTP server has astapi's timeouts (they cost
// a deadline per request in both). Flags:
//
//	--listen ADDR                 address to listen on (default 127.0.0.1:8090)
//	--user NAME:PASSWORD          a user (repeatable); the password is bcrypt'd at start
//	--route METHOD:PATH=FILE      answer METHOD PATH with FILE's bytes (repeatable)
package main

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"hash/maphash"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/gin-gonic/gin"
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/astapi/astapi/internal/httplimits"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8090", "address to listen on")
	var users, routes multiFlag
	flag.Var(&users, "user", "NAME:PASSWORD of a user (repeatable)")
	flag.Var(&routes, "route", "METHOD:PATH=FILE: answer METHOD PATH with FILE (repeatable)")
	flag.Parse()
	if len(users) == 0 || len(routes) == 0 {
		fmt.Fprintln(os.Stderr, "usage: astapi-baseline --user NAME:PASSWORD... --route METHOD:PATH=FILE... [--listen ADDR]")
		os.Exit(2)
	}
	a, err := newAuth(users)
	if err != nil {
		log.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	for _, r := range routes {
		method, rest, ok1 := strings.Cut(r, ":")
		path, file, ok2 := strings.Cut(rest, "=")
		if !ok1 || !ok2 {
			log.Fatalf("--route %q: want METHOD:PATH=FILE", r)
		}
		body, err := os.ReadFile(file)
		if err != nil {
			log.Fatal(err)
		}
		e.Handle(method, path, func(c *gin.Context) {
			name, pw, ok := c.Request.BasicAuth()
			if !ok || !a.verify(name, pw) {
				c.AbortWithStatus(http.StatusUnauthorized)
				return
			}
			c.Data(http.StatusOK, "application/json; charset=utf-8", body)
		})
	}
	srv := &http.Server{Addr: *listen, Handler: e}
	httplimits.Apply(srv) // astapi's: each timeout costs a deadline per request
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// auth is astapi's credential check reduced to what a cache hit costs.
type auth struct {
	hashes   map[string][]byte // user → bcrypt hash
	seed     maphash.Seed
	macKey   []byte
	verified *lru.Cache[uint64, [sha256.Size]byte]
}

func newAuth(users []string) (*auth, error) {
	a := &auth{hashes: map[string][]byte{}, seed: maphash.MakeSeed(), macKey: make([]byte, 32)}
	if _, err := rand.Read(a.macKey); err != nil {
		return nil, err
	}
	a.verified, _ = lru.New[uint64, [sha256.Size]byte](4096)
	for _, u := range users {
		name, pw, ok := strings.Cut(u, ":")
		if !ok {
			return nil, fmt.Errorf("--user %q: want NAME:PASSWORD", u)
		}
		h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
		if err != nil {
			return nil, err
		}
		a.hashes[name] = h
	}
	return a, nil
}

func (a *auth) verify(name, password string) bool {
	hash, ok := a.hashes[name]
	if !ok {
		return false
	}
	var h maphash.Hash
	h.SetSeed(a.seed)
	h.WriteString(name)
	h.WriteByte(0)
	h.Write(hash)
	key := h.Sum64()
	var buf [512]byte
	b := append(append(append(append(buf[:0], a.macKey...), name...), 0), password...)
	mac := sha256.Sum256(b)
	if want, ok := a.verified.Get(key); ok && subtle.ConstantTimeCompare(want[:], mac[:]) == 1 {
		return true
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		return false
	}
	a.verified.Add(key, mac)
	return true
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
