// Command pbxgen writes a synthetic PBX (see package pbxgen) to a directory:
//
//	go run ./internal/pbxgen/cmd/pbxgen -out /tmp/pbx -tenants 10000
//
// The admin user "admin" has the password "admin-demo" (the fixtures' demo
// hash); with -tenant-users, users t0…tN-1 have the same password.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/astapi/astapi/internal/pbxgen"
)

func main() {
	out := flag.String("out", "", "directory to write (created)")
	tenants := flag.Int("tenants", 1000, "tenants")
	peers := flag.Int("peers", 10, "peers per tenant")
	dialplan := flag.Int("dialplan", 10, "dialplan lines per peer (>= 3)")
	tenantUsers := flag.Bool("tenant-users", false, "also declare one tenant API user per tenant (t0, t1, …)")
	perTenant := flag.Bool("file-per-tenant", false, "each tenant's peers and dialplan in files of their own, #included")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: pbxgen -out DIR [-tenants N] [-peers N] [-dialplan N] [-tenant-users] [-file-per-tenant]")
		os.Exit(2)
	}
	s := pbxgen.Spec{Tenants: *tenants, PeersPerTenant: *peers, DialplanPerPeer: *dialplan,
		PasswordHash: pbxgen.DemoHash, AdminUser: "admin", FilePerTenant: *perTenant}
	if *tenantUsers {
		s.TenantUserPrefix = "t"
	}
	ini, err := pbxgen.Write(*out, s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pbxgen:", err)
		os.Exit(1)
	}
	fmt.Println(ini)
}
