package graph

import (
	"context"

	"sunlight/ent"
	"sunlight/graph/model"
	"sunlight/internal/access/auth"
)

func viewerOf(ctx context.Context) *model.Viewer {
	v, ok := auth.FromContext(ctx)
	if !ok {
		// No viewer: the platform itself (tests and tools calling the
		// handler directly); every HTTP request through serve has one.
		return &model.Viewer{Role: auth.Admin, Name: "platform", CommunityIDs: []int{}}
	}
	out := &model.Viewer{Role: v.Role, Name: v.Name, CommunityIDs: v.Communities}
	if out.CommunityIDs == nil {
		out.CommunityIDs = []int{}
	}
	if v.District != "" {
		out.District = &v.District
	}
	return out
}

// personal returns a resident's personal datum in full only to those who
// may see it (rule 7); everyone else gets null and uses the masked field.
func personal(ctx context.Context, r *ent.Resident, value string) *string {
	if !auth.MaySeePersonalData(ctx, r.CommunityID) {
		return nil
	}
	return &value
}
