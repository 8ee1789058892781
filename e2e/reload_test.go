package e2e

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/astapi/astapi/index"
)

// step is one change and the extension state it must lead to.
type step struct {
	what   string
	change func(e *env)
	want   string
}

// reloadCase is a configuration and the changes made to it in turn.
type reloadCase struct {
	name  string
	files map[string]string
	setup func(e *env) // after files are written, before the start
	steps []step
}

// configMap lays out dir like a Kubernetes ConfigMap volume at version
// stamp: the files live in dir/..<stamp>/, dir/..data points there and
// each dir/<name> is a symlink through ..data.
func configMap(dir, stamp string, files map[string]string) map[string]string {
	out := map[string]string{}
	for name, content := range files {
		out[dir+"/.."+stamp+"/"+name] = content
	}
	return out
}

// linkConfigMap makes the symlinks of a configMap laid out by newEnv.
func (e *env) linkConfigMap(dir, stamp string, names ...string) {
	e.t.Helper()
	e.symlink(".."+stamp, dir+"/..data")
	for _, n := range names {
		e.symlink("..data/"+n, dir+"/"+n)
	}
}

// swapConfigMap updates like the kubelet: a new timestamped directory, a
// ..data_tmp symlink to it renamed over ..data, the old directory removed.
func (e *env) swapConfigMap(dir, oldStamp, newStamp string, files map[string]string) {
	e.t.Helper()
	for name, content := range files {
		e.write(dir+"/.."+newStamp+"/"+name, content)
	}
	e.symlink(".."+newStamp, dir+"/..data_tmp")
	e.rename(dir+"/..data_tmp", dir+"/..data")
	e.remove(dir + "/.." + oldStamp)
}

// globFiles has phone 201 in sip.conf and 202 in sip.d/, included by a glob.
var globFiles = map[string]string{
	"asterisk/sip.conf":       sipConf("#include sip.d/*.conf", "a", 201),
	"asterisk/sip.d/202.conf": peers("a", 202),
}

var reloadCases = []reloadCase{
	{
		name:  "in-place write",
		files: map[string]string{"asterisk/sip.conf": sipConf("", "a", 201)},
		steps: []step{{
			change: func(e *env) { e.write("asterisk/sip.conf", sipConf("", "b", 201, 202)) },
			want:   "201=b,202=b",
		}},
	},
	{
		name:  "atomic save",
		files: map[string]string{"asterisk/sip.conf": sipConf("", "a", 201)},
		steps: []step{{
			change: func(e *env) { e.writeAtomic("asterisk/sip.conf", sipConf("", "b", 202)) },
			want:   "202=b",
		}},
	},
	{
		name:  "delete then recreate",
		files: map[string]string{"asterisk/sip.conf": sipConf("", "a", 201)},
		steps: []step{{
			change: func(e *env) {
				e.remove("asterisk/sip.conf")
				e.write("asterisk/sip.conf", sipConf("", "b", 201, 203))
			},
			want: "201=b,203=b",
		}},
	},
	{
		name: "asterisk dir moved away, another moved in",
		files: map[string]string{
			"asterisk/sip.conf":     sipConf("", "a", 201),
			"asterisk.new/sip.conf": sipConf("", "b", 202),
		},
		steps: []step{{
			change: func(e *env) {
				e.rename("asterisk", "asterisk.old")
				e.rename("asterisk.new", "asterisk")
			},
			want: "202=b",
		}, {
			what:   "the new directory is watched",
			change: func(e *env) { e.write("asterisk/sip.conf", sipConf("", "c", 202)) },
			want:   "202=c",
		}},
	},
	{
		name:  "ConfigMap ..data swap",
		files: configMap("asterisk", "2026_11_27_01_00_00.1", map[string]string{"sip.conf": sipConf("", "a", 201)}),
		setup: func(e *env) { e.linkConfigMap("asterisk", "2026_11_27_01_00_00.1", "sip.conf") },
		steps: []step{{
			change: func(e *env) {
				e.swapConfigMap("asterisk", "2026_11_27_01_00_00.1", "2026_11_27_02_00_00.2",
					map[string]string{"sip.conf": sipConf("", "b", 201, 202)})
			},
			want: "201=b,202=b",
		}, {
			what: "a second swap",
			change: func(e *env) {
				e.swapConfigMap("asterisk", "2026_11_27_02_00_00.2", "2026_11_27_03_00_00.3",
					map[string]string{"sip.conf": sipConf("", "c", 203)})
			},
			want: "203=c",
		}},
	},
	{
		name:  "new file matched by a glob include",
		files: globFiles,
		steps: []step{{
			change: func(e *env) { e.writeAtomic("asterisk/sip.d/203.conf", peers("b", 203)) },
			want:   "201=a,202=a,203=b",
		}},
	},
	{
		name:  "included dir removed and recreated",
		files: globFiles,
		steps: []step{{
			change: func(e *env) {
				e.remove("asterisk/sip.d")
				e.write("asterisk/sip.d/204.conf", peers("b", 204))
			},
			want: "201=a,204=b",
		}, {
			what:   "the recreated directory is watched",
			change: func(e *env) { e.write("asterisk/sip.d/205.conf", peers("c", 205)) },
			want:   "201=a,204=b,205=c",
		}},
	},
	{
		name: "new #include of a new dir",
		files: map[string]string{
			"asterisk/sip.conf":       sipConf("", "a", 201),
			"asterisk/extra/206.conf": peers("x", 206),
		},
		steps: []step{{
			change: func(e *env) { e.write("asterisk/sip.conf", sipConf("#include extra/*.conf", "a", 201)) },
			want:   "201=a,206=x",
		}, {
			what:   "the newly included directory is watched",
			change: func(e *env) { e.write("asterisk/extra/207.conf", peers("y", 207)) },
			want:   "201=a,206=x,207=y",
		}},
	},
}

// watchModes runs f with fsnotify and with polling.
func watchModes(t *testing.T, f func(t *testing.T, opts index.WatchOptions)) {
	t.Run("fsnotify", func(t *testing.T) { t.Parallel(); f(t, index.WatchOptions{}) })
	t.Run("poll", func(t *testing.T) {
		t.Parallel()
		f(t, index.WatchOptions{PollInterval: 25 * time.Millisecond})
	})
}

func TestReload(t *testing.T) {
	t.Parallel()
	for _, c := range reloadCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			watchModes(t, func(t *testing.T, opts index.WatchOptions) {
				e := newEnv(t, c.files)
				if c.setup != nil {
					c.setup(e)
				}
				e.start(opts)
				for _, s := range c.steps {
					d := e.expectExt(s.want, func() { s.change(e) })
					t.Logf("%s: new answer after %v", cmp.Or(s.what, "change"), d)
				}
			})
		})
	}
}

// users asks for the API users; the state is their sorted names.
var users = probe{
	method: http.MethodGet,
	path:   "/user/get",
	state: func(data json.RawMessage) (string, error) {
		var items []struct {
			Name string `json:"us_username"`
		}
		if err := json.Unmarshal(data, &items); err != nil {
			return "", err
		}
		var out []string
		for _, x := range items {
			out = append(out, x.Name)
		}
		slices.Sort(out)
		return strings.Join(out, ","), nil
	},
}

func TestReloadAstapiINI(t *testing.T) {
	t.Parallel()
	watchModes(t, func(t *testing.T, opts index.WatchOptions) {
		e := newEnv(t, map[string]string{"asterisk/sip.conf": sipConf("", "a", 201)})
		e.start(opts)
		e.expect(users, "admin,bob", func() { e.write("astapi.ini", iniFile("bob")) })
		e.expect(users, "admin,bob,carol", func() { e.writeAtomic("astapi.ini", iniFile("bob", "carol")) })
	})
}
