package parser

// Scale benchmarks of the parser on the files of a generated PBX (package
// pbxgen: 10 peers per tenant, 10 dialplan lines per peer), with their
// baseline, gopkg.in/ini.v1 reading the same bytes (it loses what the
// Asterisk dialect needs; it is the speed a general INI reader gets).
//
//	go test ./parser -run '^$' -bench Scale -benchmem
//
// MB/s is input bytes per second.

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/ini.v1"

	"github.com/astapi/astapi/internal/pbxgen"
)

// scaleTenants is the size of the generated PBX: 1000 tenants make a
// 1.3 MB sip.conf and a 3.4 MB extensions.conf (125k dialplan lines).
const scaleTenants = 1000

// scaleInput writes the PBX under b.TempDir and returns its asterisk
// directory and the bytes of sip.conf and extensions.conf.
func scaleInput(b *testing.B) (string, map[string][]byte) {
	root := b.TempDir()
	if _, err := pbxgen.Write(root, pbxgen.Spec{Tenants: scaleTenants, PeersPerTenant: 10, DialplanPerPeer: 10,
		PasswordHash: pbxgen.DemoHash, AdminUser: "admin"}); err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(root, "asterisk")
	files := map[string][]byte{}
	for _, name := range []string{"sip.conf", "extensions.conf"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		files[name] = data
	}
	return dir, files
}

// BenchmarkParseScale: Parse (bytes in memory), ParseFile (reading the
// file too), ini.v1 on the same bytes, and BuildDialplan of the parsed
// extensions.conf.
func BenchmarkParseScale(b *testing.B) {
	dir, files := scaleInput(b)
	for _, name := range []string{"sip.conf", "extensions.conf"} {
		src := files[name]
		path := filepath.Join(dir, name)
		b.Run(fmt.Sprintf("%s/astapi", name), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if cfg := Parse(path, src, Options{}); len(cfg.Sections) == 0 {
					b.Fatal("no sections")
				}
			}
		})
		b.Run(fmt.Sprintf("%s/astapi-file", name), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseFile(path, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%s/ini.v1-baseline", name), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				// AllowShadows keeps repeated keys (exten =>, allow=) as the
				// dialect needs; ini.v1 still drops (!)/(tmpl) and #include.
				if _, err := ini.LoadSources(ini.LoadOptions{AllowShadows: true, SpaceBeforeInlineComment: true,
					AllowBooleanKeys: true, IgnoreInlineComment: false}, src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	ext := files["extensions.conf"]
	cfg := Parse(filepath.Join(dir, "extensions.conf"), ext, Options{})
	b.Run("extensions.conf/BuildDialplan", func(b *testing.B) {
		b.SetBytes(int64(len(ext)))
		b.ReportAllocs()
		for b.Loop() {
			if dp := BuildDialplan(cfg); len(dp.Contexts) == 0 {
				b.Fatal("no contexts")
			}
		}
	})
}
