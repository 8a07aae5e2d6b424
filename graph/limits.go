package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"sunlight/ent"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/web/gqlhttp"
)

// Defaults of the limits of Config.
const (
	DefaultMaxDepth      = 12
	DefaultMaxAliases    = 30
	DefaultMaxTokens     = 20000
	DefaultMaxComplexity = 1_000_000
	// MaxPageSize bounds first/last of every connection (and of
	// pointsRanking), so no single request asks the database for an
	// unbounded page; the cost walker refuses more before any resolver runs.
	MaxPageSize = 500
	// DefaultPageSize is the page of a connection asked without first or
	// last: the nested lists of a record (assets of a community, contracts
	// of a matter) are rarely longer, and pageInfo says when there is more.
	DefaultPageSize = 100
)

// Limits bound what one GraphQL document may ask (limits.go,
// persisted.go); zero values take the defaults. The HTTP limits (body size,
// timeout, rate, CORS) are the edge's: internal/web/server.
type Limits struct {
	// MaxComplexity bounds the estimated cost of one operation: 1 per field,
	// the edges and nodes of a connection counted first/last times
	// (DefaultPageSize times without either) (0: DefaultMaxComplexity).
	MaxComplexity int
	// DefaultPageSize is the page a connection asked without first or last
	// returns (pagedefault.go) and so what the cost estimate counts for it
	// (0: DefaultPageSize).
	DefaultPageSize int
	// MaxDepth bounds how deep fields nest (0: DefaultMaxDepth).
	MaxDepth int
	// MaxAliases bounds the aliases of one document (0: DefaultMaxAliases).
	MaxAliases int
	// MaxTokens bounds the tokens of one document (0: DefaultMaxTokens).
	MaxTokens int
	// Persisted, when set, is the only documents the endpoint runs.
	Persisted *gqlhttp.Allowlist
	// DisableIntrospection refuses __schema and __type.
	DisableIntrospection bool
}

// withDefaults fills in the limits left zero.
func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.MaxComplexity, DefaultMaxComplexity)
	def(&l.DefaultPageSize, DefaultPageSize)
	def(&l.MaxDepth, DefaultMaxDepth)
	def(&l.MaxAliases, DefaultMaxAliases)
	def(&l.MaxTokens, DefaultMaxTokens)
	return l
}

// limitError is a refusal with its code, presented as is by presentError.
func limitError(code fail.Code, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, string(code))
	return err
}

// operationLimits refuses documents that are too deep, have too many aliases
// or tokens (before gqlgen validates them, so a hostile document costs one
// linear parse), and operations whose page sizes or estimated cost are too
// large or that introspect when introspection is off (after validation, with
// the variables' values).
type operationLimits struct {
	maxDepth, maxAliases, maxTokens int
	maxComplexity, defaultPage      int
	introspection                   bool
	checked                         graphql.Cache[*gqlerror.Error] // document → refusal or nil
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = (*operationLimits)(nil)

func newOperationLimits(cfg Limits) *operationLimits {
	return &operationLimits{
		maxDepth:      cfg.MaxDepth,
		maxAliases:    cfg.MaxAliases,
		maxTokens:     cfg.MaxTokens,
		maxComplexity: cfg.MaxComplexity,
		defaultPage:   cfg.DefaultPageSize,
		introspection: !cfg.DisableIntrospection,
		checked:       lru.New[*gqlerror.Error](1000),
	}
}

func (*operationLimits) ExtensionName() string { return "SunlightOperationLimits" }

func (*operationLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters checks the shape of the document before it is
// validated.
func (l *operationLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" {
		return nil
	}
	if refusal, ok := l.checked.Get(ctx, p.Query); ok {
		return refusal
	}
	refusal := l.checkShape(p.Query)
	l.checked.Add(ctx, p.Query, refusal)
	return refusal
}

func (l *operationLimits) checkShape(query string) *gqlerror.Error {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, l.maxTokens)
	if err != nil {
		if strings.Contains(err.Error(), "exceeded token limit") {
			return limitError(fail.QueryTooLarge, "the document has more than %d tokens; split it into smaller queries", l.maxTokens)
		}
		return nil // gqlgen reports the syntax error itself
	}
	aliases := 0
	var countAliases func(ast.SelectionSet)
	countAliases = func(ss ast.SelectionSet) {
		for _, sel := range ss {
			switch s := sel.(type) {
			case *ast.Field:
				if s.Alias != "" && s.Alias != s.Name {
					aliases++
				}
				countAliases(s.SelectionSet)
			case *ast.InlineFragment:
				countAliases(s.SelectionSet)
			}
		}
	}
	for _, op := range doc.Operations {
		countAliases(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		countAliases(f.SelectionSet)
	}
	if aliases > l.maxAliases {
		return limitError(fail.TooManyAliases, "the document uses %d aliases; at most %d are allowed", aliases, l.maxAliases)
	}
	d := depthWalker{frags: doc.Fragments, memo: map[fragmentIn]int{}, visiting: map[fragmentIn]bool{}}
	for _, op := range doc.Operations {
		if n := d.depth(op.SelectionSet, false); n > l.maxDepth {
			return limitError(fail.TooDeep, "the query is %d levels deep; at most %d are allowed", n, l.maxDepth)
		}
	}
	return nil
}

// depthWalker measures how deep fields nest, fragments included (each
// fragment once per context). Introspection nests like any other query
// (types { fields { type { fields … } } } multiplies the answer at each
// level), except ofType: a chain through one type reference's wrappers
// ([Asset!]! is three), a single object each and null past the schema's
// deepest wrapper, so it grows nothing and counts no level. That keeps the
// standard introspection queries (graphql-js's, GraphiQL's, gqlgen's: nine
// ofType below fields { type }) within the limit.
type depthWalker struct {
	frags    ast.FragmentDefinitionList
	memo     map[fragmentIn]int
	visiting map[fragmentIn]bool
}

// fragmentIn is a fragment as spread inside introspection or outside it.
type fragmentIn struct {
	name          string
	introspection bool
}

func (d *depthWalker) depth(ss ast.SelectionSet, introspection bool) int {
	deepest := 0
	for _, sel := range ss {
		n := 0
		switch s := sel.(type) {
		case *ast.Field:
			in := introspection || s.Name == "__schema" || s.Name == "__type"
			n = d.depth(s.SelectionSet, in)
			if !(introspection && s.Name == "ofType") {
				n++
			}
		case *ast.InlineFragment:
			n = d.depth(s.SelectionSet, introspection)
		case *ast.FragmentSpread:
			n = d.fragment(fragmentIn{s.Name, introspection})
		}
		deepest = max(deepest, n)
	}
	return deepest
}

func (d *depthWalker) fragment(key fragmentIn) int {
	if n, ok := d.memo[key]; ok {
		return n
	}
	if d.visiting[key] {
		return 0 // a cycle; validation refuses it
	}
	f := d.frags.ForName(key.name)
	if f == nil {
		return 0
	}
	d.visiting[key] = true
	n := d.depth(f.SelectionSet, key.introspection)
	d.visiting[key] = false
	d.memo[key] = n
	return n
}

// MutateOperationContext checks page sizes, introspection and cost of the
// validated operation.
func (l *operationLimits) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Operation
	if op == nil {
		return nil
	}
	w := costWalker{vars: opCtx.Variables, introspection: l.introspection, defaultPage: l.defaultPage, memo: map[string]int{}}
	cost := w.selections(op.SelectionSet, 1)
	if w.err != nil {
		return w.err
	}
	if cost > l.maxComplexity {
		return limitError(fail.Complexity, "the operation may cost %d (each field 1, the edges and nodes of a connection times first or last, %d when neither is given); at most %d is allowed: ask for smaller pages or fewer fields", cost, l.defaultPage, l.maxComplexity)
	}
	return nil
}

// costWalker estimates the cost of an operation: 1 per field plus what it
// selects, the edges and nodes of a connection counting first (or last)
// times, defaultPage times when neither is given. On the way it refuses
// first/last outside [0, MaxPageSize] on any field, nested ones included,
// and introspection when it is off. Introspection fields cost 1 each, as
// every field does.
type costWalker struct {
	vars          map[string]any
	introspection bool
	defaultPage   int
	memo          map[string]int
	err           *gqlerror.Error
	depth         int // of the field being walked; 0 at the root
}

// selections is the cost of ss, where fields named edges or nodes are
// repeated times.
func (w *costWalker) selections(ss ast.SelectionSet, times int) int {
	total := 0
	for _, sel := range ss {
		if w.err != nil {
			return 0
		}
		switch s := sel.(type) {
		case *ast.Field:
			total = satAdd(total, w.field(s, times))
		case *ast.InlineFragment:
			total = satAdd(total, w.selections(s.SelectionSet, times))
		case *ast.FragmentSpread:
			key := fmt.Sprint(s.Name, "/", times)
			n, ok := w.memo[key]
			if !ok && s.Definition != nil {
				n = w.selections(s.Definition.SelectionSet, times)
				w.memo[key] = n
			}
			total = satAdd(total, n)
		}
	}
	return total
}

func (w *costWalker) field(f *ast.Field, times int) int {
	if f.Name == "__typename" {
		return 1
	}
	if f.Name == "__schema" || f.Name == "__type" {
		if !w.introspection {
			w.err = limitError(fail.IntrospectionDisabled, "introspection is turned off on this server")
			return 1
		}
		// Introspection costs what it selects, like any other field.
	}
	if w.depth > 0 && f.Definition != nil {
		// A malformed cursor below the root would reach ent's eager
		// loading, which does not check it: refused here, before any
		// resolver runs. At the root the field's own argument error says
		// so, with its path (errors.go).
		if err := checkCursors(f, w.vars); err != nil {
			w.err = err
			return 0
		}
	}
	page := 1
	if d := f.Definition; d != nil && (d.Arguments.ForName("first") != nil || d.Arguments.ForName("last") != nil) {
		args := f.ArgumentMap(w.vars)
		n, given := -1, false
		for _, name := range []string{"first", "last"} {
			v, ok := args[name]
			if !ok || v == nil {
				continue
			}
			k, ok := asInt(v)
			if !ok || k < 0 || k > MaxPageSize {
				w.err = pageError(f, name, v)
				return 0
			}
			n, given = max(n, k), true
		}
		if strings.HasSuffix(f.Definition.Type.Name(), "Connection") {
			// A connection the document leaves unpaged got first: the
			// default page (pagedefault.go); one whose first and last are
			// null (literally or by unset variables) would return every
			// record.
			if !given {
				w.err = limitError(fail.BadInput, "%s: first and last are both null; pass one (at most %d), or leave both out for the first %d", f.Alias, MaxPageSize, w.defaultPage)
				if f.Position != nil {
					w.err.Locations = []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}}
				}
				return 0
			}
			page = n
		}
	}
	w.depth++
	cost := satAdd(1, w.selections(f.SelectionSet, page))
	w.depth--
	if times != 1 && (f.Name == "edges" || f.Name == "nodes") {
		cost = satMul(cost, times)
	}
	return cost
}

// checkCursors refuses an after or before argument that is not a cursor
// this server wrote.
func checkCursors(f *ast.Field, vars map[string]any) *gqlerror.Error {
	var args map[string]any
	for _, name := range []string{"after", "before"} {
		a := f.Definition.Arguments.ForName(name)
		if a == nil || a.Type.Name() != "Cursor" {
			continue
		}
		if args == nil {
			args = f.ArgumentMap(vars)
		}
		v, ok := args[name]
		if !ok || v == nil {
			continue
		}
		var c entgql.Cursor[int]
		if err := c.UnmarshalGQL(v); err != nil {
			e := limitError(fail.BadInput, "%s: invalid value for argument %s: not a cursor of this server (take it from pageInfo.endCursor or an edge's cursor)", f.Alias, name)
			if f.Position != nil {
				e.Locations = []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}}
			}
			return e
		}
	}
	return nil
}

func pageError(f *ast.Field, arg string, v any) *gqlerror.Error {
	var err *gqlerror.Error
	if k, ok := asInt(v); ok && k < 0 {
		err = limitError(fail.BadInput, "%s: first and last must not be negative, got %d", f.Alias, k)
	} else {
		err = limitError(fail.BadInput, "%s: a page holds at most %d records; got %s %v (page with the cursor in pageInfo.endCursor)", f.Alias, MaxPageSize, arg, v)
	}
	if f.Position != nil {
		err.Locations = []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}}
	}
	return err
}

func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int32:
		return int(n), true
	case int64:
		if n > math.MaxInt32 || n < math.MinInt32 {
			return 0, false
		}
		return int(n), true
	case float64:
		if n != math.Trunc(n) || n > math.MaxInt32 || n < math.MinInt32 {
			return 0, false
		}
		return int(n), true
	case json.Number:
		k, err := n.Int64()
		if err != nil {
			return 0, false
		}
		return asInt(k)
	}
	return 0, false
}

func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func satMul(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}

// transactioner is entgql's Transactioner, but a response without an
// operation (a body that is not JSON, say) passes through instead of
// panicking on the missing operation context.
type transactioner struct{ entgql.Transactioner }

// It also gives the operation what scopeCommunity reads with (scope.go).
func (t transactioner) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	if client, ok := t.TxOpener.(*ent.Client); ok {
		ctx = withClient(ctx, client)
	}
	return t.Transactioner.InterceptResponse(ctx, next)
}
