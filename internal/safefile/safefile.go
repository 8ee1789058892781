// Package safefile opens configuration files so that a special file put
// in their place (a FIFO, a device, a symlink to /dev/zero) fails at once
// instead of blocking the reader or exhausting memory.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrNotRegular is wrapped by Open and ReadFile for anything but a regular
// file (after symlinks are followed).
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by ReadFile for a file over its limit.
var ErrTooLarge = errors.New("file too large")

// Open opens path for reading. The open itself never blocks (O_NONBLOCK:
// opening a FIFO without a writer would wait for one), and the file is
// checked with fstat on the descriptor opened, so it cannot be swapped
// between the check and the read.
func Open(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		if st.IsDir() {
			return nil, nil, fmt.Errorf("%w: is a directory", ErrNotRegular)
		}
		return nil, nil, fmt.Errorf("%w (%s)", ErrNotRegular, kind(st.Mode()))
	}
	return f, st, nil
}

// ReadFile reads the regular file at path whole, refusing one of more than
// limit bytes (also when it grows while read).
func ReadFile(path string, limit int64) ([]byte, error) {
	data, _, err := ReadFileStamp(path, limit)
	return data, err
}

// ReadFileStamp is ReadFile also returning the Stamp of the file read
// (taken from the open file, before reading it).
func ReadFileStamp(path string, limit int64) ([]byte, Stamp, error) {
	f, st, err := Open(path)
	if err != nil {
		return nil, Stamp{}, err
	}
	defer f.Close()
	if st.Size() > limit {
		return nil, Stamp{}, fmt.Errorf("%w: %d bytes, over the %d byte limit", ErrTooLarge, st.Size(), limit)
	}
	data := make([]byte, 0, st.Size()+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if int64(len(data)) > limit {
			return nil, Stamp{}, fmt.Errorf("%w: over the %d byte limit", ErrTooLarge, limit)
		}
		if err == io.EOF {
			return data, stampOf(st), nil
		}
		if err != nil {
			return nil, Stamp{}, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

func kind(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "special file"
}
