package graph

import "sunlight/fail"

// MaxPageSize bounds first/last of every connection, so no single request
// can ask the database for an unbounded page.
const MaxPageSize = 500

func checkPage(first, last *int) error {
	for _, n := range []*int{first, last} {
		if n == nil {
			continue
		}
		if *n < 0 {
			return fail.Invalidf("first and last must not be negative, got %d", *n)
		}
		if *n > MaxPageSize {
			return fail.Invalidf("a page holds at most %d records; got %d (page with the cursor in pageInfo.endCursor)", MaxPageSize, *n)
		}
	}
	return nil
}
