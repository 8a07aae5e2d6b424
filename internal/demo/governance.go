package demo

import (
	"context"
	"fmt"
	"time"

	"sunlight/ent"
	"sunlight/ent/matter"
	"sunlight/ent/matterdisclosure"
	"sunlight/ent/meeting"
	"sunlight/internal/vocab/calendar"
)

// at is 9:30 in Shanghai on a civil date: when the demo's meetings start.
func at(d time.Time) time.Time {
	return calendar.StartOf(d).Add(9*time.Hour + 30*time.Minute)
}

// stageSeed is one 四议两公开 stage meeting of a matter.
type stageSeed struct {
	stage    meeting.MatterStage
	kind     meeting.Kind
	title    string
	entitled int
	attended int
	votesFor int // 0: no vote
	against  int
}

// passStages is the usual passage of a matter: proposal, deliberation,
// review by the party members (62 entitled) and resolution by the
// representatives (35 entitled), both with a quorum and a majority.
func passStages(title string) []stageSeed {
	return []stageSeed{
		{meeting.MatterStagePROPOSAL, meeting.KindPARTY_BRANCH, "党组织提议：" + title, 7, 7, 0, 0},
		{meeting.MatterStageDELIBERATION, meeting.KindTWO_COMMITTEES, "两委会议商议：" + title, 11, 10, 0, 0},
		{meeting.MatterStageREVIEW, meeting.KindPARTY_MEMBERS, "党员大会审议：" + title, 62, 51, 48, 1},
		{meeting.MatterStageRESOLUTION, meeting.KindREPRESENTATIVES, "居民代表会议决议：" + title, 35, 31, 29, 1},
	}
}

type matterSeed struct {
	key      string
	title    string
	category matter.Category
	start    time.Time // proposal day; stages follow a few days apart
	done     bool      // implementation result disclosed
}

var matters2026 = []matterSeed{
	{"canteen", "老年食堂运营补贴", matter.CategoryWELFARE_PROJECT, calendar.Date(2026, 1, 12), true},
	{"fitness", "健身器材更新", matter.CategoryWELFARE_PROJECT, calendar.Date(2026, 3, 9), true},
	{"lights", "背街小巷路灯改造", matter.CategoryWELFARE_PROJECT, calendar.Date(2026, 4, 20), true},
	{"visits", "提高重阳节慰问标准", matter.CategoryWELFARE_PROJECT, calendar.Date(2026, 7, 6), true},
	{"scholarship", "奖学金扩大到二本以上", matter.CategoryWELFARE_PROJECT, calendar.Date(2026, 8, 3), false},
	{"drains", "第三居民小组下水道疏通", matter.CategoryRESIDENT_NEED, calendar.Date(2026, 2, 16), true},
	{"stairs", "老旧楼道照明", matter.CategoryRESIDENT_NEED, calendar.Date(2026, 5, 11), true},
	{"parking", "停车位划线管理", matter.CategoryRESIDENT_NEED, calendar.Date(2026, 6, 15), true},
	{"awning", "阁子市菜市场遮雨棚", matter.CategoryRESIDENT_NEED, calendar.Date(2026, 9, 7), false},
	{"leases", "2024年阁子市菜市场摊位公开招租", matter.CategoryASSET, calendar.Date(2023, 11, 6), true},
	{"parklot", "龙山生态停车场委托经营", matter.CategoryASSET, calendar.Date(2019, 4, 8), true},
}

func (l *loader) governance(ctx context.Context, c *community) error {
	c.matters = map[string]*ent.Matter{}
	// The article: "今年以来 … 已召开议事协商会议9次".
	deliberations := []string{"2026年第一季度居务协商", "老年食堂需求征集", "背街小巷环境整治", "夏季防汛协商", "停车难问题协商", "重阳节活动筹备", "菜市场经营秩序协商", "冬季安全协商", "2027年惠民项目征集"}
	months := []time.Month{1, 2, 4, 5, 6, 8, 9, 10, 11}
	var ms []*ent.MeetingCreate
	for i, t := range deliberations {
		ms = append(ms, l.c.Meeting.Create().SetCommunityID(c.ID).SetKind(meeting.KindDELIBERATION).
			SetHeldAt(at(calendar.Date(2026, months[i], 8+i))).SetTitle(t).SetPlace("社区会议室").
			SetEntitled(25).SetAttended(21+i%4).SetMinutes("议事协商："+t+"。居民代表、组长、监督委员会成员参加，形成意见并公示。"))
	}
	if err := l.c.Meeting.CreateBulk(ms...).Exec(ctx); err != nil {
		return err
	}
	for _, s := range matters2026 {
		m, err := l.passMatter(ctx, c, s)
		if err != nil {
			return fmt.Errorf("matter %s: %w", s.title, err)
		}
		c.matters[s.key] = m
	}
	if err := l.rejectedMatter(ctx, c); err != nil {
		return err
	}
	return l.marketRebuild(ctx, c)
}

// passMatter records a matter through all its stages.
func (l *loader) passMatter(ctx context.Context, c *community, s matterSeed) (*ent.Matter, error) {
	m, err := l.c.Matter.Create().SetCommunityID(c.ID).SetTitle(s.title).SetCategory(s.category).
		SetDescription("动议事由：" + s.title + "，经居民反映和走访调查提出。").SetProposedOn(s.start).Save(ctx)
	if err != nil {
		return nil, err
	}
	day := s.start
	var resolved time.Time
	for _, st := range passStages(s.title) {
		if err := l.stageMeeting(ctx, c, m, st, day); err != nil {
			return nil, err
		}
		resolved = day
		day = day.AddDate(0, 0, 5)
	}
	// The governance rules move the matter on with each stage meeting and
	// disclosure: RESOLVED on the resolution's day, COMPLETED with the result.
	if err := l.disclose(ctx, c, m, matterdisclosure.StageRESOLUTION_DISCLOSURE, resolved.AddDate(0, 0, 2), "决议公开："+s.title+"，经居民代表会议表决通过，公示七天。"); err != nil {
		return nil, err
	}
	if s.done {
		if err := l.disclose(ctx, c, m, matterdisclosure.StageRESULT_DISCLOSURE, resolved.AddDate(0, 1, 0), "实施结果公开："+s.title+"已实施完毕，接受居民监督。"); err != nil {
			return nil, err
		}
	}
	return l.c.Matter.Get(ctx, m.ID)
}

func (l *loader) stageMeeting(ctx context.Context, c *community, m *ent.Matter, st stageSeed, day time.Time) error {
	q := l.c.Meeting.Create().SetCommunityID(c.ID).SetKind(st.kind).SetHeldAt(at(day)).
		SetTitle(st.title).SetPlace("社区会议室").SetEntitled(st.entitled).SetAttended(st.attended).
		SetMatterID(m.ID).SetMatterStage(st.stage).
		SetMinutes(st.title + "。").SetSupervisionOpinion("程序合规，同意。")
	if st.votesFor > 0 {
		q.SetVotesFor(st.votesFor).SetVotesAgainst(st.against).SetVotesAbstain(st.attended - st.votesFor - st.against)
	}
	return q.Exec(ctx)
}

func (l *loader) disclose(ctx context.Context, c *community, m *ent.Matter, st matterdisclosure.Stage, day time.Time, text string) error {
	return l.c.MatterDisclosure.Create().SetCommunityID(c.ID).SetMatterID(m.ID).SetStage(st).
		SetDisclosedOn(day).SetChannel("社区居务公开栏、居民微信群").SetText(text).Exec(ctx)
}

// rejectedMatter is a proposal the representatives voted down.
func (l *loader) rejectedMatter(ctx context.Context, c *community) error {
	title := "社区临街门面整体出租给单一商户"
	m, err := l.c.Matter.Create().SetCommunityID(c.ID).SetTitle(title).SetCategory(matter.CategoryASSET).
		SetDescription("动议事由：有商户提出整体承租临街门面。").SetProposedOn(calendar.Date(2026, 3, 2)).Save(ctx)
	if err != nil {
		return err
	}
	stages := passStages(title)
	stages[3].votesFor, stages[3].against = 12, 17
	day := calendar.Date(2026, 3, 2)
	for _, st := range stages {
		if err := l.stageMeeting(ctx, c, m, st, day); err != nil {
			return err
		}
		day = day.AddDate(0, 0, 5)
	}
	// The failed vote of the representatives rejects the matter, with the
	// votes kept as the reason.
	return nil
}

// marketRebuild is the article's 2021 rebuild of 阁子市菜市场: a 清廉议事会
// in June 2021, ten democratic decision meetings (the four stage meetings
// among them), a public tender, works from July 2021.
func (l *loader) marketRebuild(ctx context.Context, c *community) error {
	title := "阁子市菜市场改扩建"
	m, err := l.c.Matter.Create().SetCommunityID(c.ID).SetTitle(title).SetCategory(matter.CategoryCONSTRUCTION).
		SetDescription("动议事由：阁子市菜市场始建于2007年，设施陈旧，经营秩序混乱，列入湖南省三年菜市场改造实施范畴。").
		SetProposedOn(calendar.Date(2021, 6, 1)).Save(ctx)
	if err != nil {
		return err
	}
	if err := l.c.Meeting.Create().SetCommunityID(c.ID).SetKind(meeting.KindDELIBERATION).
		SetHeldAt(at(calendar.Date(2021, 6, 4))).SetTitle("清廉议事会：阁子市菜市场改扩建涉及哪些工程？是否要公开招标？").
		SetPlace("阁子市社区会议室").SetEntitled(30).SetAttended(28).SetMatterID(m.ID).
		SetMinutes("议定：改扩建工程依法公开招标，全过程接受监督委员会监督。").Exec(ctx); err != nil {
		return err
	}
	day := calendar.Date(2021, 6, 7)
	stages := passStages(title)
	decision := 0
	for i, st := range stages {
		if err := l.stageMeeting(ctx, c, m, st, day); err != nil {
			return err
		}
		decision++
		day = day.AddDate(0, 0, 3)
		if i < 3 { // two more decision meetings between each stage
			for k := 0; k < 2; k++ {
				decision++
				if err := l.c.Meeting.Create().SetCommunityID(c.ID).SetKind(meeting.KindOTHER).
					SetHeldAt(at(day)).SetTitle(fmt.Sprintf("民主决策会议（第%d次）：%s", decision, title)).
					SetPlace("阁子市社区会议室").SetEntitled(40).SetAttended(34 + k).SetMatterID(m.ID).
					SetMinutes("班子成员、监督委员会成员、组长、老同志及居民代表参加，讨论改扩建方案。").Exec(ctx); err != nil {
					return err
				}
				day = day.AddDate(0, 0, 1)
			}
		}
	}
	resolved := day.AddDate(0, 0, -3)
	if err := l.disclose(ctx, c, m, matterdisclosure.StageRESOLUTION_DISCLOSURE, resolved.AddDate(0, 0, 1), "决议公开：阁子市菜市场改扩建工程经居民代表会议表决通过，依法公开招标。"); err != nil {
		return err
	}
	if err := l.disclose(ctx, c, m, matterdisclosure.StageRESULT_DISCLOSURE, calendar.Date(2022, 7, 15), "实施结果公开：阁子市菜市场改扩建工程已竣工验收，决算公开。"); err != nil {
		return err
	}
	c.matters["rebuild"] = m
	return nil
}
