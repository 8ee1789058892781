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

// LoadFrom is Load for a reload: what prev (the snapshot served, or nil)
// built from files that have not changed since is taken over rather than
// built again (today the call flow's independent parts, see package
// flow). The result is the snapshot Load would build.
func LoadFrom(iniPath string, prev *Snapshot) (*Snapshot, error) {
	b := &builder{prev: prev}
	return b.load(iniPath)
}
