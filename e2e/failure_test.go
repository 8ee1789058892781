package e2e

import (
	"strings"
	"testing"

	"github.com/astapi/astapi/index"
)

// TestFailedReloadKeepsServing: a reload that fails keeps the last good
// answer, /status says why with the place, and the next good edit
// recovers without help.
func TestFailedReloadKeepsServing(t *testing.T) {
	t.Parallel()
	watchModes(t, func(t *testing.T, opts index.WatchOptions) {
		t.Run("include cycle", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, map[string]string{"asterisk/sip.conf": sipConf("", "a", 201)})
			e.start(opts)
			// Line 3, right after [general] and context=.
			st := e.expectFailure(extensions, func() { e.write("asterisk/sip.conf", sipConf("#include sip.conf", "b", 201, 202)) })
			t.Logf("/status last_reload.error: %s", st.LastReload.Error)
			if !strings.Contains(st.LastReload.Error, "sip.conf:3") || !strings.Contains(st.LastReload.Error, "include cycle") {
				t.Errorf("last_reload.error %q does not name the cycle at sip.conf:3", st.LastReload.Error)
			}
			if !hasDiag(st, "sip.conf", 3) {
				t.Errorf("diagnostics lack sip.conf:3: %+v", st.Diagnostics)
			}
			e.expectExt("201=c,202=c", func() { e.write("asterisk/sip.conf", sipConf("", "c", 201, 202)) })
			if st := e.status(); !st.LastReload.Success {
				t.Errorf("last reload still failed after the fix: %+v", st.LastReload)
			}
		})
		t.Run("broken astapi.ini", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, map[string]string{"asterisk/sip.conf": sipConf("", "a", 201)})
			e.start(opts)
			broken := strings.Replace(iniFile("bob"), "password = "+passwordHash(), "password = hunter2", 1)
			st := e.expectFailure(users, func() { e.write("astapi.ini", broken) })
			t.Logf("/status last_reload.error: %s", st.LastReload.Error)
			// ini errors name the file and the section (gopkg.in/ini.v1
			// gives no line numbers).
			if msg := st.LastReload.Error; !strings.Contains(msg, "astapi.ini") || !strings.Contains(msg, "[user admin]") || strings.Contains(msg, "hunter2") {
				t.Errorf("last_reload.error %q: want astapi.ini and [user admin], never the password", msg)
			}
			e.expect(users, "admin,bob", func() { e.writeAtomic("astapi.ini", iniFile("bob")) })
		})
	})
}

func hasDiag(st lastReload, file string, line int) bool {
	for _, d := range st.Diagnostics {
		if strings.HasSuffix(d.File, file) && d.Line == line {
			return true
		}
	}
	return false
}
