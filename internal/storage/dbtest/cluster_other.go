//go:build !unix

package dbtest

import "errors"

// errNoBinaries: a throwaway server is only made on Unix systems; elsewhere
// SUNLIGHT_TEST_POSTGRES must name a server.
var errNoBinaries = errors.New("no throwaway PostgreSQL server on this system")

type cluster struct {
	dir, createOptions string
	port               int
}

func localCluster() (*cluster, error) { return nil, errNoBinaries }

func (*cluster) adminURL() string { return "" }

func shutdown() { closeAdmins() }

var debianBinaries string
