// Package token issues, looks up and revokes API tokens, and turns the
// bearer token of an HTTP request into the viewer of package auth.
package token

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/privacy"

	"sunlight/ent"
	"sunlight/ent/accesstoken"
	"sunlight/ent/community"
	"sunlight/internal/access/auth"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
)

// tokenPrefix marks Sunlight tokens so secret scanners can find leaked ones.
const tokenPrefix = "slt_"

// ErrBadToken is returned for a token that is unknown, expired or revoked.
var ErrBadToken = errors.New("the token is unknown, expired or revoked")

// Hash is how a token is stored: its SHA-256, never the token itself.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// New describes a token to issue.
type New struct {
	Name      string
	Role      auth.Role
	Community string // code; required for staff and supervisors
	District  string // required for officials
	TTL       time.Duration
}

// Issue creates a token and returns it in clear, once: only its hash is kept.
func Issue(ctx context.Context, client *ent.Client, n New, now time.Time) (string, *ent.AccessToken, error) {
	if !n.Role.Valid() {
		return "", nil, fail.Invalidf("unknown role %q; use one of %v", n.Role, auth.Roles)
	}
	if n.TTL <= 0 {
		return "", nil, fail.Invalidf("a token needs a lifetime (e.g. 90 days)")
	}
	q := client.AccessToken.Create().SetName(n.Name).SetRole(string(n.Role)).
		SetCreatedAt(now).SetExpiresAt(now.Add(n.TTL))
	switch n.Role {
	case auth.CommunityStaff, auth.Supervisor:
		if n.Community == "" {
			return "", nil, fail.Invalidf("a %s token needs --community", n.Role)
		}
		c, err := client.Community.Query().Where(community.Code(n.Community)).Only(ctx)
		if ent.IsNotFound(err) {
			return "", nil, fail.NotFoundf("no community has the code %q", n.Community)
		}
		if err != nil {
			return "", nil, err
		}
		q.SetCommunityID(c.ID)
	case auth.DistrictOfficial:
		if n.District == "" {
			return "", nil, fail.Invalidf("a DISTRICT_OFFICIAL token needs --district")
		}
		q.SetDistrict(n.District)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("random token: %w", err)
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	t, err := q.SetTokenHash(Hash(token)).Save(privacy.DecisionContext(ctx, privacy.Allow))
	if err != nil {
		return "", nil, fmt.Errorf("store token: %w", err)
	}
	return token, t, nil
}

// Lookup turns a presented token into its viewer, reading the communities
// of a district official's district afresh (Districts.Lookup caches them).
func Lookup(ctx context.Context, client *ent.Client, token string, now time.Time) (*auth.Viewer, error) {
	return (&Districts{TTL: -1}).Lookup(ctx, client, token, now)
}

// DistrictTTL is how long Districts trusts the communities of a district: a
// community added to a district reaches its officials' tokens this late.
const DistrictTTL = 30 * time.Second

// Districts caches the communities of each district, so that a
// DISTRICT_OFFICIAL's request costs one statement (the token's, which is
// read every time so that a revoked token fails on the very next request),
// not two.
type Districts struct {
	// TTL is how long an entry is trusted (0: DistrictTTL; negative: not
	// at all).
	TTL time.Duration

	mu      sync.Mutex
	entries map[string]districtEntry
}

type districtEntry struct {
	ids []int
	at  time.Time
}

// Lookup turns a presented token into its viewer.
func (d *Districts) Lookup(ctx context.Context, client *ent.Client, token string, now time.Time) (*auth.Viewer, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return nil, ErrBadToken
	}
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	t, err := client.AccessToken.Query().Where(accesstoken.TokenHash(Hash(token))).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, fmt.Errorf("look up token: %w", err)
	}
	if t.RevokedAt != nil || !now.Before(t.ExpiresAt) {
		return nil, ErrBadToken
	}
	v := &auth.Viewer{Role: auth.Role(t.Role), Name: t.Name, TokenID: t.ID, District: t.District}
	switch v.Role {
	case auth.CommunityStaff, auth.Supervisor:
		if t.CommunityID == nil {
			return nil, ErrBadToken
		}
		v.Communities = []int{*t.CommunityID}
	case auth.DistrictOfficial:
		if v.Communities, err = d.communities(ctx, client, t.District, now); err != nil {
			return nil, err
		}
	}
	if v.Communities == nil && v.Confined() {
		v.Communities = []int{}
	}
	return v, nil
}

func (d *Districts) communities(ctx context.Context, client *ent.Client, district string, now time.Time) ([]int, error) {
	ttl := d.TTL
	if ttl == 0 {
		ttl = DistrictTTL
	}
	d.mu.Lock()
	e, ok := d.entries[district]
	d.mu.Unlock()
	if ok && ttl > 0 && now.Sub(e.at) < ttl && !now.Before(e.at) {
		return slices.Clone(e.ids), nil
	}
	ids, err := client.Community.Query().Where(community.District(district)).IDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("communities of district %s: %w", district, err)
	}
	if ttl > 0 {
		d.mu.Lock()
		if d.entries == nil || len(d.entries) > 10_000 {
			d.entries = map[string]districtEntry{}
		}
		d.entries[district] = districtEntry{ids: ids, at: now}
		d.mu.Unlock()
	}
	return slices.Clone(ids), nil
}

// Revoke ends a token now. It is one conditional update: of two revocations
// at once, one revokes and the other is told the token was revoked already
// (CONFLICT), and the time of the first stays.
func Revoke(ctx context.Context, client *ent.Client, id int, now time.Time) error {
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	n, err := client.AccessToken.Update().
		Where(accesstoken.ID(id), accesstoken.RevokedAtIsNil()).
		SetRevokedAt(now).Save(ctx)
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	if n > 0 {
		return nil
	}
	t, err := client.AccessToken.Get(ctx, id)
	if ent.IsNotFound(err) {
		return fail.NotFoundf("no token %d", id)
	}
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	return fail.Conflictf("token %d was revoked already, at %s", id, t.RevokedAt.In(calendar.Shanghai).Format(time.DateTime))
}
