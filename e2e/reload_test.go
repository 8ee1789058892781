package e2e

import (
	"cmp"
	"maps"
	"testing"
	"time"

	"github.com/astapi/astapi/index"
)

// step is one change and the state of p (default: extensions) it must
// lead to.
type step struct {
	what   string
	change func(e *env)
	p      probe
	want   string
}

// reloadCase is a configuration and the changes made to it in turn.
type reloadCase struct {
	name   string
	files  map[string]string
	config string       // astapi.ini if empty
	setup  func(e *env) // after files are written, before the start
	steps  []step
}

// Kubernetes names a ConfigMap's versions by time.
const (
	stamp1 = "2026_11_27_01_00_00.1"
	stamp2 = "2026_11_27_02_00_00.2"
	stamp3 = "2026_11_27_03_00_00.3"
)

// configMap lays out dir like a Kubernetes ConfigMap volume holding the
// file name at version stamp: the file lives in dir/..<stamp>/, dir/..data
// points there (see linkConfigMap) and dir/<name> is a symlink through
// ..data.
func configMap(dir, stamp, name, content string) map[string]string {
	return map[string]string{dir + "/.." + stamp + "/" + name: content}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		maps.Copy(out, m)
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
func (e *env) swapConfigMap(dir, oldStamp, newStamp, name, content string) {
	e.t.Helper()
	e.write(dir+"/.."+newStamp+"/"+name, content)
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
		// deploy/kubernetes: asterisk/ a ConfigMap, astapi/ a Secret
		// holding astapi.ini, both updated by ..data swaps (the kubelet
		// treats Secrets the same way).
		name: "Kubernetes ConfigMap and Secret swaps",
		files: merge(
			configMap("asterisk", stamp1, "sip.conf", sipConf("", "a", 201)),
			configMap("astapi", stamp1, "astapi.ini", iniFileFor("../asterisk")),
		),
		config: "astapi/astapi.ini",
		setup: func(e *env) {
			e.linkConfigMap("asterisk", stamp1, "sip.conf")
			e.linkConfigMap("astapi", stamp1, "astapi.ini")
		},
		steps: []step{{
			what:   "ConfigMap update",
			change: func(e *env) { e.swapConfigMap("asterisk", stamp1, stamp2, "sip.conf", sipConf("", "b", 202)) },
			want:   "202=b",
		}, {
			what: "Secret update",
			change: func(e *env) {
				e.swapConfigMap("astapi", stamp1, stamp2, "astapi.ini", iniFileFor("../asterisk", "bob"))
			},
			p:    users,
			want: "admin,bob",
		}, {
			what:   "ConfigMap update after the Secret's",
			change: func(e *env) { e.swapConfigMap("asterisk", stamp2, stamp3, "sip.conf", sipConf("", "c", 203)) },
			want:   "203=c",
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
		}, {
			what: "an include of a directory that does not exist yet",
			change: func(e *env) {
				e.write("asterisk/sip.conf", sipConf("#include extra/*.conf\n#tryinclude later/deep/*.conf", "b", 201))
			},
			want: "201=b,206=x,207=y",
		}, {
			what:   "the directory appears",
			change: func(e *env) { e.write("asterisk/later/deep/208.conf", peers("z", 208)) },
			want:   "201=b,206=x,207=y,208=z",
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
				e.config = cmp.Or(c.config, e.config)
				if c.setup != nil {
					c.setup(e)
				}
				e.start(opts)
				for _, s := range c.steps {
					if s.p.path == "" {
						s.p = extensions
					}
					d := e.expect(s.p, s.want, func() { s.change(e) })
					t.Logf("%s: new answer after %v", cmp.Or(s.what, "change"), d)
				}
			})
		})
	}
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
