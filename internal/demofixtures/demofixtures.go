package demofixtures

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// Users are the demo users of fixtures/astapi.ini; the password of NAME is
// NAME-demo.
var Users = []string{"admin", "acme", "globex", "auditor"}

// passwordLine is a [user NAME] section up to its password value.
var passwordLine = regexp.MustCompile(`(?m)^(\[user (\S+)\][^\[]*?password\s*=\s*)\S+`)

// Copy copies the fixtures directory src (the repository's fixtures/) into
// a temp dir of t and returns the path of the copy's astapi.ini, its
// password hashes re-made at bcrypt's minimum cost.
func Copy(t testing.TB, src string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == "astapi.ini" {
			if b, err = cheapHashes(b); err != nil {
				return err
			}
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "astapi.ini")
}

func cheapHashes(ini []byte) ([]byte, error) {
	var herr error
	out := passwordLine.ReplaceAllFunc(ini, func(m []byte) []byte {
		sub := passwordLine.FindSubmatch(m)
		h, err := bcrypt.GenerateFromPassword([]byte(string(sub[2])+"-demo"), bcrypt.MinCost)
		if err != nil {
			herr = err
			return m
		}
		return append(append([]byte{}, sub[1]...), h...)
	})
	return out, herr
}
