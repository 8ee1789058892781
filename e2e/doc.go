// Package e2e tests the whole stack the way `astapi serve` wires it: a
// configuration in a temporary directory, index.Load behind an
// index.Store, index.Watch on the real file system (fsnotify or polling),
// and the api server behind httptest. The tests change files the ways
// editors, deploy tools and Kubernetes do and check, over HTTP, that the
// new answer shows within a second and that no answer in between is a
// mix of the old and the new configuration.
//
// The package has only tests; this file exists so that it builds.
package e2e
