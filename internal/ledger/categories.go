// Package ledger enforces the money rules of the design: vouchers go draft
// → signing → posted with enough distinct signatures, posted vouchers are
// never changed (only reversed), closed months take no vouchers, and the
// totals the disclosures print are computed in the database from posted
// vouchers only. The rules are ent hooks (Install), so every path to a
// voucher — GraphQL, the CLI, the scheduler, a bulk update — meets them.
package ledger

import (
	"slices"

	"sunlight/ent/voucher"
)

// WelfareCategory is the expense category benefits (惠民福利) are paid
// from; the reports reconcile it with the benefits recorded per resident.
const WelfareCategory = "集体公益福利支出"

// Categories of the disclosure board (财务公开栏), per direction.
var Categories = map[voucher.Direction][]string{
	voucher.DirectionEXPENSE: {"办公经费", "集体公益福利支出", "办公用品", "工程支出", "维修", "人员报酬", "其他"},
	voucher.DirectionINCOME:  {"租金收入", "市场管理费", "投资收益", "补助收入", "其他"},
}

// ValidCategory reports whether category belongs to direction.
func ValidCategory(d voucher.Direction, category string) bool {
	return slices.Contains(Categories[d], category)
}

// categoryRank orders categories as on the board: the listed order.
func categoryRank(d voucher.Direction, category string) int {
	if i := slices.Index(Categories[d], category); i >= 0 {
		return i
	}
	return len(Categories[d])
}
