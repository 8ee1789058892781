// Package parallel cuts a list of n items into contiguous runs and works
// each run in a goroutine of its own: the index's tenant passes and the
// call flow's split and edges share it.
package parallel
