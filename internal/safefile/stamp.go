package safefile

import (
	"os"
	"time"
)

// Stamp is what stat(2) says of a file that changes whenever its content
// does: device, inode, size, modification and change times. The change
// time cannot be set back by a program (touch -r, rsync -t and cp -p set
// only the modification time), and a file renamed into place has another
// inode, so an equal Stamp means an unchanged file, provided the file was
// not written again within the clock tick of the first look (see Settled).
// The zero Stamp matches nothing.
type Stamp struct {
	dev, ino     uint64
	size         int64
	mtime, ctime int64 // ns since the epoch
}

// StatStamp is the Stamp of the file at path now (following symlinks, as
// opening it does); the zero Stamp when it cannot be stat'ed.
func StatStamp(path string) Stamp {
	st, err := os.Stat(path)
	if err != nil {
		return Stamp{}
	}
	return StampOf(st)
}

// StampOf is the Stamp of a stat(2) result: the zero Stamp for nil or
// anything but a regular file.
func StampOf(fi os.FileInfo) Stamp {
	if fi == nil || !fi.Mode().IsRegular() {
		return Stamp{}
	}
	return stampOf(fi)
}

// Settled reports whether a file read at readAt with this Stamp was last
// changed long enough before that read (margin) that a Stamp equal later
// proves the content unchanged: a write in the same clock tick as the
// read leaves the Stamp as it was. Like git's "racily clean" entries, an
// unsettled file must be read again.
func (s Stamp) Settled(readAt time.Time, margin time.Duration) bool {
	if s == (Stamp{}) {
		return false
	}
	limit := readAt.Add(-margin).UnixNano()
	return s.ctime < limit && s.mtime < limit
}
