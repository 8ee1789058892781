package index

// Load reads astapi.ini at iniPath and the Asterisk files of its
// asterisk_dir, and builds a Snapshot. It fails (with a *LoadError or a
// wrapped file error) only when the configuration cannot be served:
// astapi.ini errors, unreadable files, include cycles. Everything else is a
// diagnostic in Snapshot.Diags.
func Load(iniPath string) (*Snapshot, error) {
	b := &builder{}
	return b.load(iniPath)
}
