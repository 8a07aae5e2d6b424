package schema

import "regexp"

var (
	codePattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	monthPattern  = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)
	periodPattern = regexp.MustCompile(`^[0-9]{4}(-(0[1-9]|1[0-2]))?$`)
)
