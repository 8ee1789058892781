package main

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/astapi/astapi/index"
)

// The next steps init and validate print when a configuration cannot be
// read or serves nothing useful.

// topLevelFiles counts the top-level Asterisk files astapi reads that
// exist in the snapshot's directory.
func topLevelFiles(s *index.Snapshot) int {
	n := 0
	for _, name := range []string{"sip.conf", "pjsip.conf", "users.conf", "extensions.conf"} {
		if hasFile(s, name) {
			n++
		}
	}
	return n
}

// hasFile reports whether the snapshot read the top-level file name.
func hasFile(s *index.Snapshot, name string) bool {
	_, found := slices.BinarySearch(s.Files, filepath.Join(s.Server.AsteriskDir, name))
	return found
}

// loadHint says what to do about an error that stopped a load.
func loadHint(err error) string {
	var le *index.LoadError
	switch {
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EACCES):
		return permissionHint
	case strings.Contains(err.Error(), "outside the allowed directories"):
		return "a file leaves the Asterisk directory (an #include, or a symlink): list its directory in [server] include_roots " +
			"(astapi init --include-root DIR)"
	case errors.As(err, &le):
		for _, d := range le.Diags {
			if strings.Contains(d.Message, syscall.EACCES.Error()) {
				return permissionHint
			}
		}
		return "fix the lines named above (Asterisk itself would not read them either), then run the command again"
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR), strings.Contains(err.Error(), "not a directory"):
		return "[server] asterisk_dir must name the directory Asterisk reads (astetcdir in asterisk.conf, usually /etc/asterisk)"
	}
	return "fix what the message names, then run the command again"
}

// dirHint explains why an Asterisk directory could not be opened.
func dirHint(err error) string {
	if errors.Is(err, fs.ErrPermission) {
		return permissionHint
	}
	return "give the directory Asterisk reads: astetcdir in asterisk.conf, usually /etc/asterisk"
}

// permissionHint is the way out of a permission error.
const permissionHint = "astapi needs read access to astapi.ini, the Asterisk directory and every file it includes " +
	"(Asterisk usually installs them 0640 asterisk:asterisk): run astapi as the asterisk user, " +
	"or add its user to the asterisk group"

// emptyDirHint explains an Asterisk directory without any file astapi
// reads.
func emptyDirHint(dir string) string {
	msg := dir + " holds none of sip.conf, pjsip.conf, users.conf, extensions.conf: "
	if samples, _ := filepath.Glob(filepath.Join(dir, "*.conf.sample")); len(samples) > 0 {
		return msg + "only Asterisk's *.conf.sample files, which Asterisk does not read either (make samples installs them as .conf)"
	}
	return msg + "is it the directory Asterisk reads (astetcdir in asterisk.conf, usually /etc/asterisk)?"
}

// configHints are the next steps for a configuration that loads but
// serves nothing useful.
func configHints(s *index.Snapshot) []string {
	phones, trunks := len(s.Extensions), len(s.Trunks) // Trunks holds those of no tenant too
	// Declared tenants exist even without peers; discovered ones do not.
	declared := len(s.Tenants) > 0 && s.Tenants[0].Declared
	switch {
	case topLevelFiles(s) == 0:
		return []string{emptyDirHint(s.Server.AsteriskDir)}
	case phones == 0 && trunks == 0 && hasFile(s, "users.conf") && !hasFile(s, "sip.conf") && !hasFile(s, "pjsip.conf"):
		return []string{"no SIP peer: users.conf users (hassip = yes) need a sip.conf, as chan_sip does not load without one"}
	case len(s.Tenants) == 0:
		return []string{"no tenant: discovery made none (discover = code needs phones named <number>-<code>, " +
			"contexts needs phones); without discover = in [server], one tenant holds everything"}
	case phones == 0 && trunks == 0 && !declared:
		return []string{"no SIP or PJSIP peer was found: astapi lists the phones of sip.conf, pjsip.conf " +
			"and users.conf (hassip = yes); one configured elsewhere (a realtime database) is not seen"}
	case phones == 0 && !declared:
		return []string{"no phone was found, only trunks: phones configured elsewhere (a realtime database, " +
			"another channel driver such as IAX2 or DAHDI) are not seen"}
	case phones == 0:
		return []string{"no phone belongs to a tenant (astapi validate prints why for each peer): " +
			"check the code, peers and contexts of the [tenant] sections"}
	}
	return nil
}

// usersHint is the next step when astapi.ini has no user.
func usersHint(s *index.Snapshot) []string {
	if len(s.Users) > 0 {
		return nil
	}
	return []string{"no [user] section: nobody can log in; add one (astapi hash-password makes its password hash) " +
		"or write a new file with astapi init"}
}
