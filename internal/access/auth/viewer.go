// Package auth says who is asking and what they may see: the viewer in the
// context of every request, the API tokens that identify callers, and the
// HTTP middleware that turns a bearer token into a viewer. The rules that
// apply a viewer to every query and write live in package policy as ent
// privacy policies, so no path to the data skips them.
package auth

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Role is what a caller may do.
type Role string

// The roles of the design.
const (
	// Public sees what a transparency board shows: communities, assets,
	// contracts, posted vouchers, published reports, aggregates, and
	// meetings and matters once disclosed; no personal data.
	Public Role = "PUBLIC"
	// DistrictOfficial reads everything of the communities in its
	// district, with residents' personal data masked.
	DistrictOfficial Role = "DISTRICT_OFFICIAL"
	// CommunityStaff reads and writes its own community, and nothing else.
	CommunityStaff Role = "COMMUNITY_STAFF"
	// Supervisor signs vouchers of its community and sees only them.
	Supervisor Role = "SUPERVISOR"
	// Admin may do anything.
	Admin Role = "ADMIN"
)

// Roles lists the roles a token can have.
var Roles = []Role{Public, DistrictOfficial, CommunityStaff, Supervisor, Admin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// MarshalGQL writes the role as a GraphQL enum value.
func (r Role) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL Role.
func (r *Role) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	if !Role(s).Valid() {
		return fmt.Errorf("%v is not a role; use one of %v", v, Roles)
	}
	*r = Role(s)
	return nil
}

// Viewer is who is asking.
type Viewer struct {
	Role Role
	// Name identifies the token holder in the audit trail.
	Name string
	// Communities are the IDs the viewer is confined to: one for staff and
	// supervisors, those of the district for an official; nil for the
	// public and admins, who are not confined.
	Communities []int
	// District is an official's district.
	District string
	// TokenID is the token the viewer came with (0: none).
	TokenID int
}

type viewerKey struct{}

// NewContext returns ctx with v as its viewer.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// FromContext returns the viewer of ctx. A context without one belongs to
// the platform itself — the CLI run by the operator, the scheduler, the demo
// loader — and is not confined; every HTTP request gets a viewer from the
// middleware before it reaches any handler.
func FromContext(ctx context.Context) (*Viewer, bool) {
	v, ok := ctx.Value(viewerKey{}).(*Viewer)
	return v, ok && v != nil
}

// Confined reports whether v may only see the communities in v.Communities.
func (v *Viewer) Confined() bool {
	return v.Role == CommunityStaff || v.Role == Supervisor || v.Role == DistrictOfficial
}

// SeesCommunity reports whether v may see the community with id at all.
func (v *Viewer) SeesCommunity(id int) bool {
	return !v.Confined() || slices.Contains(v.Communities, id)
}

// CanSeeCommunity reports whether the viewer of ctx may see a community's
// records (the platform itself may).
func CanSeeCommunity(ctx context.Context, id int) bool {
	v, ok := FromContext(ctx)
	return !ok || v.SeesCommunity(id)
}

// MaySeePersonalData reports whether the viewer of ctx may see residents'
// ID numbers and phones in full for community id: only that community's
// own staff, admins and the platform itself (rule 7).
func MaySeePersonalData(ctx context.Context, id int) bool {
	v, ok := FromContext(ctx)
	if !ok || v.Role == Admin {
		return true
	}
	return v.Role == CommunityStaff && slices.Contains(v.Communities, id)
}
