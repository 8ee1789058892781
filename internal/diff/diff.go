// Package diff finds where two lists differ when they differ in one run
// of places: a reload's lists (phones, extensions' keys) are the last
// load's but for what one edited file brought or took away.
package diff

// Run returns the run of places where now differs from old: both share
// old[:lo] and old[oldHi:] (now[:lo], now[nowHi:]), and old[lo:oldHi]
// was replaced by now[lo:nowHi]. Each list is walked once from each end:
// two lists that differ in several places give one run spanning them.
func Run[T comparable](old, now []T) (lo, oldHi, nowHi int) {
	oldHi, nowHi = len(old), len(now)
	for lo < oldHi && lo < nowHi && old[lo] == now[lo] {
		lo++
	}
	for oldHi > lo && nowHi > lo && old[oldHi-1] == now[nowHi-1] {
		oldHi--
		nowHi--
	}
	return lo, oldHi, nowHi
}
