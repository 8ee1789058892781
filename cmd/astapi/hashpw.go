package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// hashStdin is where hash-password reads the password (tests may replace
// it).
var hashStdin io.Reader = os.Stdin

// runHashPassword is `astapi hash-password`: it reads a password from the
// first line of stdin (or --password) and prints its bcrypt hash for the
// password = line of a [user …] section of astapi.ini.
func runHashPassword(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hash-password", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cost := fs.Int("cost", bcrypt.DefaultCost, fmt.Sprintf("bcrypt cost (%d..%d)", bcrypt.MinCost, bcrypt.MaxCost))
	password := fs.String("password", "", "the password (visible to other local users in the process list: prefer stdin)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: astapi hash-password [--cost 10] [--password P] < password")
		return 2
	}
	if *cost < bcrypt.MinCost || *cost > bcrypt.MaxCost {
		fmt.Fprintf(stderr, "astapi: --cost must be between %d and %d\n", bcrypt.MinCost, bcrypt.MaxCost)
		return 2
	}
	pw := *password
	if pw == "" {
		if f, ok := hashStdin.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				fmt.Fprint(stderr, "password (echoed): ")
			}
		}
		line, err := bufio.NewReader(io.LimitReader(hashStdin, 4096)).ReadString('\n')
		if err != nil && err != io.EOF {
			fmt.Fprintf(stderr, "astapi: reading the password: %v\n", err)
			return 1
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if pw == "" {
		fmt.Fprintln(stderr, "astapi: empty password")
		return 1
	}
	if len(pw) > 72 {
		fmt.Fprintln(stderr, "astapi: password longer than 72 bytes (bcrypt ignores the rest): choose a shorter one")
		return 1
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), *cost)
	if err != nil {
		fmt.Fprintf(stderr, "astapi: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, string(h))
	return 0
}
