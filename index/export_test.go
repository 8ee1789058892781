package index

// LoadWholeFlow is Load reading the call flow as one part (flow.Input.Whole):
// the tests check that splitting it changes nothing.
func LoadWholeFlow(iniPath string) (*Snapshot, error) {
	b := &builder{wholeFlow: true}
	return b.load(iniPath)
}
