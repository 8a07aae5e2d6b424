package pdf

import (
	"time"

	"sunlight/internal/vocab/money"
)

// Community identifies the collective economy a report is about.
type Community struct {
	Name        string // 阁子市社区
	Code        string // gezishi
	SubDistrict string // 龙山管理处
	District    string // 南湖新区
}

// Monthly is everything the monthly disclosure (财务公开) shows, gathered
// from the platform for one community and one calendar month. The renderer
// prints it as given: it does no database access and no accounting, except
// for totals of the rows it is handed (sums of the category lines and of the
// benefit lines), so that a report never disagrees with its own tables.
//
// Dates are civil dates: midnight UTC of the calendar date in Asia/Shanghai
// (see Date). Rows are printed in the order given; the gather step should
// sort them (vouchers by date then number, and so on) so that the same data
// always gives the same bytes.
type Monthly struct {
	// Layout is the layout version to print with (see Layout1); 0, the
	// zero value that inputs frozen before versions existed decode to, is
	// the original layout, kept so that reports published with it still
	// render to their published bytes.
	Layout int

	Community Community
	Year      int        // 2026
	Month     time.Month // time.October
	// Number is the report number the platform issued, e.g. "gezishi-2026-10".
	Number string
	// PublishedOn is the publication date printed in the header: the day
	// the report was really published.
	PublishedOn time.Time
	// DueOn is the day it was due (the day after its period); when
	// PublishedOn is later the header prints it too. Zero (inputs frozen
	// before it was kept): not printed.
	DueOn time.Time

	// Income and Expense list the categories (租金收入, 办公经费, …) with
	// the month's amount and the amount for the year to date, in the
	// order to print. The renderer adds the 合计 rows.
	Income  []CategoryAmount
	Expense []CategoryAmount

	// Vouchers are the vouchers posted in the month.
	Vouchers []Voucher

	Meetings Meetings

	// Contracts are the contracts signed in the month or running during it.
	Contracts []Contract

	// Benefits are the benefits paid in the month, one line per kind
	// (never per person).
	Benefits []BenefitLine

	// Inquiries are the residents' inquiries still open at month end,
	// and those answered late or not at all (overdue).
	Inquiries []Inquiry

	// TotalAssets is the total of collective assets at the month's last
	// day (the latest valuation of each asset held then).
	TotalAssets money.Fen

	// Approval names the people of the approval block that ends the
	// report from Layout1 on; a role nobody holds prints a blank line to
	// sign on.
	Approval Approval

	// WelfareCategory names the expense category that benefits are paid
	// from (集体公益福利支出). From Layout1 on, the benefits section says
	// how the benefits listed per resident relate to that ledger line.
	WelfareCategory string

	// PrevSHA256 is the hex SHA-256 of the community's previous published
	// report of the same kind, printed on every page to chain the reports;
	// empty for the first report.
	PrevSHA256 string

	// Balance is the community's money from its opening balance on
	// (资金余额), printed from Layout2 on; nil for a community without an
	// opening balance, and in inputs frozen before it existed.
	Balance *Balance `json:",omitempty"`
}

// Balance is what the monthly disclosure of a community that entered an
// opening balance (期初余额) prints of its money. The month's income and
// expense are the 收入合计 and 支出合计 of the category lines, so the
// balance at the month's end (期末余额) never disagrees with the table.
type Balance struct {
	// GoLiveYear and GoLiveMonth are the month the community's books came
	// onto the platform with the opening balance.
	GoLiveYear  int
	GoLiveMonth time.Month
	// Opening is the balance at the first day of the report's month: the
	// opening balance plus the income less the expense of the months
	// since the go-live month.
	Opening money.Fen
	// IncomeBefore and ExpenseBefore are what the community took in and
	// spent in the go-live year before its go-live month, as entered; zero
	// in later years. The category lines' year to date then counts from
	// the go-live month.
	IncomeBefore  money.Fen
	ExpenseBefore money.Fen
}

// Layout versions. A published report's inputs are frozen with it and
// `sunlight verify` renders them again with today's renderer, so a change
// of what is printed for the same inputs gets a new version, and the old
// versions keep rendering as they did.
const (
	// Layout0 is the original layout (inputs without a Layout field).
	Layout0 = 0
	// Layout1: the welfare ledger line is reconciled with the benefits
	// listed per resident; the yearly asset shares add up to exactly
	// 100.00% (largest remainder); the monthly totals are given in
	// capitals (大写) and the report ends with an approval block.
	Layout1 = 1
	// Layout2: the monthly disclosure of a community with an opening
	// balance prints its money (资金余额: 期初余额, 本月收入, 本月支出,
	// 期末余额) and counts its year to date from its go-live month.
	Layout2 = 2
	// Layout3: the monthly disclosure ends its sections with 八、凭证审批签字,
	// naming who signed the month's vouchers (masked name, capacity, the
	// fingerprint of the signer's Ed25519 key, the vouchers signed) and
	// saying plainly of a name-only signature that no key verifies it.
	// The yearly summary prints as in Layout2.
	Layout3 = 3
	// LayoutCurrent is what the gather step stamps on new reports.
	LayoutCurrent = Layout3
)

// Approval is who reviews and answers for a monthly disclosure, as on the
// paper board's 审核 block. Full names may be passed: the renderer prints
// them masked (张*春), as every person's name in a report.
type Approval struct {
	// Supervisors are the community's supervisory committee (监督委员会)
	// members, who review the disclosure (审核人).
	Supervisors []string
	// Heads (负责人), Preparers (经办人) and Accountants (会计) are those
	// who signed the month's vouchers in that capacity.
	Heads       []string
	Preparers   []string
	Accountants []string
}

// CategoryAmount is one income or expense category of the monthly report.
type CategoryAmount struct {
	Category   string    // 办公经费
	Month      money.Fen // this month
	YearToDate money.Fen // 1 January to the month's end, this month included
}

// Direction is the direction of a voucher; the values are those of the
// platform's Voucher.direction enum.
type Direction string

const (
	Income  Direction = "INCOME"
	Expense Direction = "EXPENSE"
)

// Voucher is one posted voucher (凭证).
type Voucher struct {
	Date       time.Time // occurred on
	Number     string    // 记-2026-10-001
	Summary    string    // 摘要
	Direction  Direction
	Category   string
	Amount     money.Fen // positive; a reversal is its own voucher
	Signatures int       // number of sign-offs (at least 9 by the platform's rule)
	// Signers are who signed it, in the order they signed; printed from
	// Layout3 on, absent from inputs frozen before.
	Signers []VoucherSigner `json:",omitempty"`
}

// Capacity is the capacity a signer signs in (签字身份); the values are
// those of the platform's Signature.role and Signer.capacity enums.
type Capacity string

const (
	CapPreparer       Capacity = "PREPARER"       // 经办人
	CapAccountant     Capacity = "ACCOUNTANT"     // 会计
	CapCashier        Capacity = "CASHIER"        // 出纳
	CapSecretary      Capacity = "SECRETARY"      // 书记
	CapCommittee      Capacity = "COMMITTEE"      // 两委成员
	CapSupervisor     Capacity = "SUPERVISOR"     // 监督委员会
	CapGroupLeader    Capacity = "GROUP_LEADER"   // 组长
	CapRepresentative Capacity = "REPRESENTATIVE" // 居民代表
	CapOther          Capacity = "OTHER"          // 其他
)

// VoucherSigner is one signature of a voucher as the disclosure names it.
type VoucherSigner struct {
	// Name is the signer's name; the renderer prints it masked (张*春).
	Name     string
	Capacity Capacity
	// Fingerprint is the short fingerprint of the signer's registered
	// Ed25519 public key (signing.Fingerprint, e.g. 3f2a-91c0-7d4e-b815),
	// empty for a name-only signature.
	Fingerprint string `json:",omitempty"`
	// NameOnly marks a signature recorded with the signer's name only,
	// before signers had keys: nothing verifies it, and the report says so.
	NameOnly bool `json:",omitempty"`
}

// Meetings is the meetings-and-matters part of the monthly report.
type Meetings struct {
	// Year-to-date counts, as the community's board states them ("本年已召开
	// 议事协商会议 9 次，决定惠民项目 5 个，解决居民诉求 4 件").
	DeliberationMeetings int
	ProjectsDecided      int
	NeedsResolved        int

	// Held are the meetings held in the month.
	Held []Meeting
	// Matters are the major matters (重大事项) moved on in the month.
	Matters []MatterStep
}

// MeetingKind is a meeting's kind; the values are those of the platform's
// Meeting.kind enum.
type MeetingKind string

const (
	PartyBranch     MeetingKind = "PARTY_BRANCH"
	TwoCommittees   MeetingKind = "TWO_COMMITTEES"
	PartyMembers    MeetingKind = "PARTY_MEMBERS"
	Representatives MeetingKind = "REPRESENTATIVES"
	Deliberation    MeetingKind = "DELIBERATION"
	OtherMeeting    MeetingKind = "OTHER"
)

// Meeting is one meeting held in the month.
type Meeting struct {
	Date     time.Time
	Kind     MeetingKind
	Title    string
	Entitled int // how many may attend (应到)
	Attended int // 实到
	For      int // votes for; all three votes 0 means no vote was taken
	Against  int
	Abstain  int
}

// MatterStage is a step of 四议两公开; the values are those of the
// platform's Matter.stage enum.
type MatterStage string

const (
	StageProposal             MatterStage = "PROPOSAL"              // 党组织提议
	StageDeliberation         MatterStage = "DELIBERATION"          // 两委会议商议
	StageReview               MatterStage = "REVIEW"                // 党员大会审议
	StageResolution           MatterStage = "RESOLUTION"            // 居民代表会议决议
	StageResolutionDisclosure MatterStage = "RESOLUTION_DISCLOSURE" // 决议公开
	StageResultDisclosure     MatterStage = "RESULT_DISCLOSURE"     // 实施结果公开
)

// MatterOutcome is a matter's outcome; the values are those of the
// platform's Matter.outcome enum.
type MatterOutcome string

const (
	OutcomePending   MatterOutcome = "PENDING"
	OutcomeResolved  MatterOutcome = "RESOLVED"
	OutcomeRejected  MatterOutcome = "REJECTED"
	OutcomeCompleted MatterOutcome = "COMPLETED"
)

// MatterStep is a major matter that reached a stage in the month.
type MatterStep struct {
	Date    time.Time // the day the stage was reached
	Title   string
	Stage   MatterStage
	Outcome MatterOutcome
}

// ContractKind, Procurement: the values are those of the platform's
// Contract.kind and Contract.procurement enums.
type (
	ContractKind string
	Procurement  string
)

const (
	Lease        ContractKind = "LEASE"
	Construction ContractKind = "CONSTRUCTION"
	Purchase     ContractKind = "PROCUREMENT"
	Service      ContractKind = "SERVICE"

	PublicTender           Procurement = "PUBLIC_TENDER"
	InvitedTender          Procurement = "INVITED_TENDER"
	CompetitiveNegotiation Procurement = "COMPETITIVE_NEGOTIATION"
	Direct                 Procurement = "DIRECT"
)

// Contract is a contract signed in the month or running during it.
type Contract struct {
	Code         string // unique per community, e.g. HT-2021-007
	Title        string
	Counterparty string // a company, or a person's name (printed masked)
	// CounterpartyIsPerson makes the renderer mask Counterparty (张*春):
	// reports never print a private person's full name.
	CounterpartyIsPerson bool
	Kind                 ContractKind
	Procurement          Procurement
	Amount               money.Fen
	SignedOn             time.Time // a date in the report's month prints as 本月签订
	StartsOn             time.Time
	EndsOn               time.Time // zero: open-ended
}

// BenefitKind is a kind of benefit; the values are those of the platform's
// Benefit.kind enum.
type BenefitKind string

const (
	ElderInsurance BenefitKind = "ELDER_INSURANCE" // 高龄医保资助
	ElderVisit     BenefitKind = "ELDER_VISIT"     // 重阳节慰问
	IllnessAid     BenefitKind = "ILLNESS_AID"     // 大病救助
	FuneralReform  BenefitKind = "FUNERAL_REFORM"  // 殡葬改革奖励
	Scholarship    BenefitKind = "SCHOLARSHIP"     // 助学奖励
	AngelFund      BenefitKind = "ANGEL_FUND"      // 天使基金
	OtherBenefit   BenefitKind = "OTHER"           // 其他福利
)

// BenefitLine is the benefits of one kind paid in the period.
type BenefitLine struct {
	Kind  BenefitKind
	Count int       // payments (人次)
	Total money.Fen // amount paid
}

// InquiryStatus says why an inquiry is listed.
type InquiryStatus string

const (
	InquiryOpen     InquiryStatus = "OPEN"     // not answered yet, still within the time to answer
	InquiryOverdue  InquiryStatus = "OVERDUE"  // not answered, past the time to answer
	InquiryAnswered InquiryStatus = "ANSWERED" // answered (listed when answered late)
)

// Inquiry is a resident's question about a report line or voucher.
type Inquiry struct {
	AskedOn time.Time
	// AskedBy is the resident's name; the renderer prints it masked (张*春),
	// so the full name may be passed.
	AskedBy  string
	Subject  string // the report line or voucher asked about, e.g. 办公经费 or 记-2026-10-003
	Question string
	Status   InquiryStatus
}

// Yearly is everything the yearly asset-growth summary (社区集体资产增长情况)
// shows for one community and one calendar year.
type Yearly struct {
	// Layout is the layout version, as Monthly.Layout.
	Layout int

	Community   Community
	Year        int
	Number      string
	PublishedOn time.Time
	DueOn       time.Time // as Monthly.DueOn

	// YearEnds are the totals of collective assets at 31 December of up to
	// ten consecutive years, oldest first, ending with Year. Growth rates
	// are computed by the renderer from consecutive entries.
	YearEnds []YearEnd

	// Categories break Year's year-end total down by asset category.
	Categories []AssetCategoryTotal

	// Income and Expense are the year's totals by category.
	Income  []CategoryTotal
	Expense []CategoryTotal

	// Benefits are the year's benefits, one line per kind.
	Benefits []BenefitLine

	// Milestones are events to list (e.g. 阁子市菜市场改造完工). The renderer
	// adds the thresholds crossed by the year-end totals it shows (first
	// year at or above 10 million, 50 million, 100 million yuan, …).
	Milestones []Milestone

	// WelfareCategory is as Monthly.WelfareCategory.
	WelfareCategory string

	PrevSHA256 string
}

// YearEnd is the total of collective assets at the end of one year.
type YearEnd struct {
	Year  int
	Total money.Fen
}

// AssetCategory is an asset category; the values are those of the
// platform's Asset.category enum.
type AssetCategory string

const (
	Building   AssetCategory = "BUILDING"
	Market     AssetCategory = "MARKET"
	Parking    AssetCategory = "PARKING"
	Land       AssetCategory = "LAND"
	Equipment  AssetCategory = "EQUIPMENT"
	School     AssetCategory = "SCHOOL"
	OtherAsset AssetCategory = "OTHER"
)

// AssetCategoryTotal is the year-end value of one category of assets.
type AssetCategoryTotal struct {
	Category AssetCategory
	Count    int // assets held
	Value    money.Fen
}

// CategoryTotal is one income or expense category's total for the year.
type CategoryTotal struct {
	Category string
	Amount   money.Fen
}

// Milestone is a dated event of the community's collective economy.
type Milestone struct {
	Date time.Time
	Text string
}

// Date returns the civil date y-m-d as the reports expect it: midnight UTC.
func Date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// shanghai is China Standard Time. A fixed zone, not
// time.LoadLocation("Asia/Shanghai"): China has kept UTC+8 without daylight
// saving since 1991, and a fixed zone does not depend on the host's tzdata,
// which would make the embedded dates (and so the bytes) host-dependent.
var shanghai = time.FixedZone("CST", 8*3600)
