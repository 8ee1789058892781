// Package demofixtures gives tests a private copy of the demo PBX in
// fixtures/ whose API passwords are re-hashed at bcrypt's minimum cost:
// the same demo passwords (NAME-demo), but a wrong one costs a millisecond
// instead of the 80 ms of the published cost-10 hashes, so suites that
// send many stay fast under -race.
package demofixtures
