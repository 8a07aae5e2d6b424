// Package civic names the parts a resident plays in the community's
// self-government (party member, representative, supervisor ...), which
// decide who is entitled to attend which meeting and who may sign.
package civic

import (
	"fmt"
	"io"
	"strconv"
)

// Role is a part a resident plays in the community's self-government.
type Role string

// The roles of the design.
const (
	PartyMember    Role = "PARTY_MEMBER"   // 党员
	Representative Role = "REPRESENTATIVE" // 居民代表
	Committee      Role = "COMMITTEE"      // 两委成员
	Supervisor     Role = "SUPERVISOR"     // 监督委员会成员
	GroupLeader    Role = "GROUP_LEADER"   // 居民小组长
)

// Roles lists every role in a stable order.
var Roles = []Role{PartyMember, Representative, Committee, Supervisor, GroupLeader}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// MarshalGQL writes the role as a GraphQL enum value.
func (r Role) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL ResidentRole.
func (r *Role) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok || !Role(s).Valid() {
		return fmt.Errorf("%v is not a resident role; use one of %v", v, Roles)
	}
	*r = Role(s)
	return nil
}
