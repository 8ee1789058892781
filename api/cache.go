package api

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/astapi/astapi/index"
)

// apiVersion enters every ETag, so that a new astapi whose answers differ
// for the same files does not validate the old one's ETags.
const apiVersion = "astapi-api-1"

// cachedResponse is a rendered 200 answer.
type cachedResponse struct {
	etag string // quoted
	body []byte
	// Header values made once, shared by every answer (never modified).
	etagHdr, lengthHdr []string
	ctypeHdr           []string // nil: JSON
	cspHdr             []string // Content-Security-Policy; nil: none
}

func newCachedResponse(etag string, body []byte) *cachedResponse {
	return &cachedResponse{
		etag: etag, body: body,
		etagHdr:   []string{etag},
		lengthHdr: []string{strconv.Itoa(len(body))},
	}
}

// entryOverhead approximates what an entry costs beyond its key and body
// (list element, map slot, struct, slice headers).
const entryOverhead = 160

// responseCache is an LRU of rendered answers bounded by bytes: the LRU
// itself counts entries, so every Add is followed by evicting the oldest
// entries until the byte total fits.
type responseCache struct {
	lru      *lru.Cache[responseKey, *cachedResponse]
	maxBytes int64
	bytes    atomic.Int64
	gen      atomic.Uint64 // newest generation seen
}

// maxEntries is the LRU's entry bound; the byte bound is what usually
// applies.
const maxEntries = 1 << 20

func newResponseCache(maxBytes int64) *responseCache {
	if maxBytes < 0 {
		return nil
	}
	c := &responseCache{maxBytes: maxBytes}
	c.lru, _ = lru.NewWithEvict(maxEntries, func(k responseKey, v *cachedResponse) {
		c.bytes.Add(-entryCost(k, v))
	})
	return c
}

func entryCost(k responseKey, v *cachedResponse) int64 {
	return int64(k.size() + len(v.etag) + len(v.body) + entryOverhead)
}

// get returns the cached answer under key.
func (c *responseCache) get(key responseKey) (*cachedResponse, bool) {
	if c == nil {
		return nil, false
	}
	return c.lru.Get(key)
}

// add stores v under key, built from snapshot generation gen. The first
// entry of a newer generation empties the cache: older generations are no
// longer served (except by requests already under way).
func (c *responseCache) add(gen uint64, key responseKey, v *cachedResponse) {
	if c == nil {
		return
	}
	cost := entryCost(key, v)
	if cost > c.maxBytes/4 {
		return // one huge answer must not wipe the cache
	}
	for {
		old := c.gen.Load()
		if gen <= old {
			break
		}
		if c.gen.CompareAndSwap(old, gen) {
			c.lru.Purge()
			break
		}
	}
	if _, found, _ := c.lru.PeekOrAdd(key, v); found {
		return
	}
	c.bytes.Add(cost)
	for c.bytes.Load() > c.maxBytes {
		if _, _, ok := c.lru.RemoveOldest(); !ok {
			break
		}
	}
}

// size returns the bytes accounted and the entries held.
func (c *responseCache) size() (int64, int) {
	if c == nil {
		return 0, 0
	}
	return c.bytes.Load(), c.lru.Len()
}

// responseKey names a cached answer: (generation, endpoint, normalised
// parameters, caller). A comparable struct rather than a joined string, so
// a lookup builds its key without allocating.
type responseKey struct {
	gen      uint64
	endpoint string
	args     [keyArgs]string
	user     string
}

// keyArgs parameters fit the key as they are; more are joined into the
// last slot, NUL-separated (normalised values never hold a NUL: IDs are
// digits, e-mails are checked).
const keyArgs = 4

func cacheKey(gen uint64, endpoint string, args []string, user string) responseKey {
	k := responseKey{gen: gen, endpoint: endpoint, user: user}
	if len(args) > keyArgs {
		copy(k.args[:keyArgs-1], args)
		k.args[keyArgs-1] = strings.Join(args[keyArgs-1:], "\x00")
	} else {
		copy(k.args[:], args)
	}
	return k
}

// size is what the key's strings take.
func (k *responseKey) size() int {
	n := len(k.endpoint) + len(k.user)
	for _, a := range k.args {
		n += len(a)
	}
	return n
}

// snapshotVersion identifies a snapshot's content: its fingerprint (a hash
// of the files read, equal on every replica), or its generation when it has
// none (snapshots built by hand).
func snapshotVersion(s *index.Snapshot) string {
	if s.Fingerprint != "" {
		return s.Fingerprint
	}
	return "generation:" + strconv.FormatUint(s.Generation, 10)
}

// etag is the quoted tag (quoteTag) of the SHA-256 of (API version,
// snapshot content, endpoint, normalised parameters, caller).
func etag(s *index.Snapshot, endpoint string, args []string, user string) string {
	h := sha256.New()
	h.Write([]byte(apiVersion))
	h.Write([]byte{0})
	h.Write([]byte(snapshotVersion(s)))
	h.Write([]byte{0})
	h.Write([]byte(endpoint))
	for _, a := range args {
		h.Write([]byte{0})
		h.Write([]byte(a))
	}
	h.Write([]byte{0})
	h.Write([]byte(user))
	var sum [sha256.Size]byte
	return quoteTag(h.Sum(sum[:0]))
}

// etagBytes is how much of a SHA-256 an ETag keeps. 128 bits tell two
// versions of an answer apart as surely as 256, and the 32 hex digits
// this saves matter: net/http writes an answer through a 4 KiB buffer per
// connection, so every byte of header moves the body size beyond which an
// answer takes a second write(2) (and the client a second read). The
// demo's /destination/all went from 4,098 bytes to 4,066 with it, and
// from two writes to one.
const etagBytes = 16

// quoteTag is the ETag named by a SHA-256 sum: its first etagBytes in hex,
// quoted.
func quoteTag(sum []byte) string {
	return `"` + hex.EncodeToString(sum[:etagBytes]) + `"`
}

// etagMatches implements If-None-Match's weak comparison: "*" or a list
// holding tag, with or without W/.
func etagMatches(header, tag string) bool {
	if header == "" {
		return false
	}
	for header != "" {
		var t string
		t, header, _ = strings.Cut(header, ",")
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		t = strings.TrimPrefix(t, "W/")
		if t == tag {
			return true
		}
	}
	return false
}
