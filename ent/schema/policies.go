package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/entql"

	"sunlight/internal/access/auth"
	"sunlight/internal/access/policy"
)

// Who may see and change each entity; package policy explains the rules.
// Writers are confined to their own community; admins and the platform
// itself (CLI, scheduler) are not confined.

var staff = auth.CommunityStaff

// disclosed are the stages after which a matter is public (决议公开).
var disclosed = []any{"RESOLUTION_DISCLOSURE", "RESULT_DISCLOSURE"}

func (Community) Policy() ent.Policy { return policy.CommunityPolicy() }
func (Asset) Policy() ent.Policy     { return policy.Owned("Asset", policy.Everything, staff) }
func (AssetValuation) Policy() ent.Policy {
	return policy.Owned("AssetValuation", policy.Everything, staff)
}
func (Market) Policy() ent.Policy   { return policy.Owned("Market", policy.Everything, staff) }
func (Stall) Policy() ent.Policy    { return policy.Owned("Stall", policy.Everything, staff) }
func (Contract) Policy() ent.Policy { return policy.Owned("Contract", policy.Everything, staff) }
func (MatterDisclosure) Policy() ent.Policy {
	return policy.Owned("MatterDisclosure", policy.Everything, staff)
}
func (ResidentGroup) Policy() ent.Policy {
	return policy.Owned("ResidentGroup", policy.Everything, staff)
}
func (Report) Policy() ent.Policy { return policy.Owned("Report", policy.Everything) }

// An opening balance is printed on the public disclosure; staff enter it.
func (OpeningBalance) Policy() ent.Policy {
	return policy.Owned("OpeningBalance", policy.Everything, staff)
}

// Personal data: never public.
func (Resident) Policy() ent.Policy   { return policy.Owned("Resident", nil, staff) }
func (PointEvent) Policy() ent.Policy { return policy.Owned("PointEvent", nil, staff) }
func (Benefit) Policy() ent.Policy    { return policy.Owned("Benefit", nil, staff) }
func (Inquiry) Policy() ent.Policy    { return policy.Owned("Inquiry", nil, staff) }
func (Signature) Policy() ent.Policy  { return policy.Owned("Signature", nil, staff, auth.Supervisor) }
func (JobRun) Policy() ent.Policy     { return policy.Owned("JobRun", nil) }
func (AuditEvent) Policy() ent.Policy { return policy.Owned("AuditEvent", nil) }

// The public sees posted vouchers only: drafts are not yet the books.
func (Voucher) Policy() ent.Policy {
	return policy.Owned("Voucher", entql.FieldEQ("status", "POSTED"), staff, auth.Supervisor)
}

// A matter is public once its resolution is disclosed (决议公开).
func (Matter) Policy() ent.Policy {
	return policy.Owned("Matter", entql.FieldIn("stage", disclosed...), staff)
}

// A meeting is public unless it is about a matter not yet disclosed.
func (Meeting) Policy() ent.Policy {
	return policy.Owned("Meeting", entql.Or(
		entql.FieldNil("matter_id"),
		entql.HasEdgeWith("matter", entql.FieldIn("stage", disclosed...)),
	), staff)
}
