package dataset

import (
	"fmt"
	"math/rand/v2"
	"time"

	"touchbase/fake"
	"touchbase/occurrence"
)

// Well-known occasions the benchmarks use; the other occasions get random
// ids.
const (
	// WorklistOccasionId is a standard one-off occasion, active from 20
	// days before the data set's day to 20 days after, for every point and
	// segment, with about a third of its clients already touched: the
	// worklist benchmark's occasion.
	WorklistOccasionId = "benchworklist01"
	// MarkOccasionId is a mandatory one-off occasion, active, for every
	// point and segment, without any touch: the occasion the mark
	// benchmarks mark (mandatory, so holds do not refuse a mark).
	MarkOccasionId = "benchmarkocc001"
)

// occasion is a generated occasion and the rule that decides its
// occurrences.
type occasion struct {
	id, title, template, kind, category string
	rule                                occurrence.Occasion
	segments                            []string
	points                              []int // indexes into Data.points; nil = all points
	created                             time.Time
	noRandomTouches                     bool
}

func (o *occasion) repeat() string {
	if o.rule.Repeat == "" {
		return "none"
	}
	return o.rule.Repeat
}

func (o *occasion) trigger() string {
	if o.rule.Trigger == "" {
		return "none"
	}
	return o.rule.Trigger
}

func (o *occasion) personal() bool {
	return o.rule.Trigger == "birthday" || o.rule.Trigger == "anniversary"
}

// theme is a kind of reason to contact clients, with a bilingual title and
// template; occasions are drawn from the themes.
type theme struct {
	kind, category, ru, en, template string
}

var themes = []theme{
	{"mandatory", "notice", "Уведомление об отгрузке", "Shipment notice",
		"Здравствуйте, {{contact}}! Заказ {{client}} отгружен, трек-номер пришлю отдельно. {{manager}}, {{point}}\n\nHello {{contact}}, the order for {{client}} has shipped. {{manager}}, {{point}}"},
	{"mandatory", "notice", "Продление SSL-сертификата и домена", "SSL and domain renewal",
		"{{contact}}, напоминаю: SSL-сертификат и домен {{client}} нужно продлить до {{date}}. {{manager}}\n\n{{contact}}, the SSL certificate and domain of {{client}} expire on {{date}}. {{manager}}"},
	{"mandatory", "notice", "Плановое ТО оборудования", "Scheduled maintenance reminder",
		"{{contact}}, подошёл срок планового обслуживания оборудования {{client}}. Согласуем визит инженера? {{manager}}\n\n{{contact}}, the equipment at {{client}} is due for maintenance. Shall we book a visit? {{manager}}"},
	{"mandatory", "notice", "Пополнение баланса", "Balance top-up reminder",
		"{{contact}}, баланс {{client}} подходит к концу — пополните, пожалуйста, до {{date}}. {{manager}}\n\n{{contact}}, the balance of {{client}} is running low; please top it up by {{date}}. {{manager}}"},
	{"mandatory", "notice", "Сдача отчётности", "Tax filing reminder",
		"{{contact}}, напоминаем о сроке сдачи отчётности {{date}}. {{manager}}, {{point}}\n\n{{contact}}, a reminder that the filing deadline is {{date}}. {{manager}}, {{point}}"},
	{"mandatory", "other", "Приёмка и монтаж", "Acceptance and installation",
		"{{contact}}, монтаж для {{client}} завершён — подпишите, пожалуйста, акт приёмки. {{manager}}\n\n{{contact}}, the installation at {{client}} is complete; please sign the acceptance form. {{manager}}"},
	{"standard", "content", "Полезная статья", "Useful article",
		"{{contact}}, добрый день! Попалась толковая статья — вспомнил про задачи {{client}}. {{manager}}\n\nHi {{contact}}, here is a short read that made me think of {{client}}. {{manager}}"},
	{"standard", "content", "Книга месяца", "Book of the month",
		"{{contact}}, советую книгу, которая пригодится команде {{client}}. {{manager}}\n\n{{contact}}, a book your team at {{client}} might enjoy. {{manager}}"},
	{"standard", "content", "Видео: разбор кейса", "Video: case study",
		"{{contact}}, короткое видео о том, как похожая компания решила задачу, как у {{client}}. {{manager}}\n\n{{contact}}, a short video on how a company like {{client}} solved a similar problem. {{manager}}"},
	{"standard", "news", "Новость компании", "Company news",
		"{{contact}}, у нас новость, которая может быть полезна {{client}}: открыли склад в {{point}}. {{manager}}\n\n{{contact}}, news that may help {{client}}: we opened a warehouse at {{point}}. {{manager}}"},
	{"standard", "idea", "Идея для клиента", "An idea for the client",
		"{{contact}}, есть идея, как сократить издержки {{client}}. Обсудим? {{manager}}\n\n{{contact}}, I have an idea to cut costs at {{client}}. Shall we talk? {{manager}}"},
	{"standard", "advice", "Попросить совета", "Ask for advice",
		"{{contact}}, нужен ваш совет как эксперта: {{client}} давно с нами ({{years}} лет). {{manager}}\n\n{{contact}}, may I ask your advice? {{client}} has worked with us for {{years}} years. {{manager}}"},
	{"standard", "question", "Вопрос о проекте", "Question about the project",
		"{{contact}}, как продвигается проект {{client}}? Чем можем помочь? {{manager}}\n\n{{contact}}, how is the project at {{client}} going? Can we help? {{manager}}"},
	{"standard", "promo", "Спецпредложение для ключевых клиентов", "Offer for key clients",
		"{{contact}}, для {{client}} подготовили персональные условия до {{date}}. {{manager}}\n\n{{contact}}, we prepared personal terms for {{client}} until {{date}}. {{manager}}"},
	{"standard", "event", "Приглашение на вебинар", "Webinar invitation",
		"{{contact}}, приглашаем команду {{client}} на вебинар {{date}}. {{manager}}, {{point}}\n\n{{contact}}, the {{client}} team is invited to our webinar on {{date}}. {{manager}}, {{point}}"},
	{"standard", "event", "Деловой завтрак", "Business breakfast",
		"{{contact}}, ждём вас на деловом завтраке {{date}} в {{point}}. {{manager}}\n\n{{contact}}, join us for a business breakfast on {{date}} at {{point}}. {{manager}}"},
}

// yearlyThemes are holidays and yearly dates; month and day of the first
// occurrence.
var yearlyThemes = []struct {
	theme
	month time.Month
	day   int
	days  int // window length
}{
	{theme{"standard", "greeting", "С Новым годом", "Happy New Year",
		"{{contact}}, с наступающим Новым годом! Спасибо {{client}} за доверие. {{manager}}\n\n{{contact}}, happy New Year! Thank you, {{client}}, for your trust. {{manager}}"}, time.December, 20, 20},
	{theme{"standard", "greeting", "С 8 Марта", "International Women's Day",
		"{{contact}}, поздравляем с 8 Марта! {{manager}}, {{point}}\n\n{{contact}}, happy International Women's Day! {{manager}}, {{point}}"}, time.March, 4, 5},
	{theme{"standard", "greeting", "С Днём защитника Отечества", "Defender's Day",
		"{{contact}}, с 23 Февраля! {{manager}}\n\n{{contact}}, best wishes on Defender's Day! {{manager}}"}, time.February, 19, 5},
	{theme{"standard", "greeting", "С Рождеством", "Merry Christmas",
		"{{contact}}, с Рождеством! {{manager}}\n\n{{contact}}, merry Christmas from all of us at {{point}}! {{manager}}"}, time.December, 18, 8},
	{theme{"standard", "news", "День рождения компании", "Our company's birthday",
		"{{contact}}, нам исполняется ещё один год — спасибо {{client}}! {{manager}}\n\n{{contact}}, we turn one year older — thank you, {{client}}! {{manager}}"}, time.June, 10, 14},
	{theme{"mandatory", "notice", "Закрывающие документы за год", "Year-end closing documents",
		"{{contact}}, готовим закрывающие документы {{client}} за год. {{manager}}\n\n{{contact}}, we are preparing the year-end documents for {{client}}. {{manager}}"}, time.December, 15, 17},
	{theme{"mandatory", "notice", "Продление годовой лицензии", "Annual licence renewal",
		"{{contact}}, годовая лицензия {{client}} истекает {{date}}. {{manager}}\n\n{{contact}}, the annual licence of {{client}} expires on {{date}}. {{manager}}"}, time.September, 1, 30},
	{theme{"standard", "event", "Ежегодная конференция", "Annual conference",
		"{{contact}}, приглашаем {{client}} на нашу ежегодную конференцию {{date}}. {{manager}}\n\n{{contact}}, {{client}} is invited to our annual conference on {{date}}. {{manager}}"}, time.October, 5, 21},
}

var segmentChoices = [][]string{{"A+", "A"}, {"A+", "A", "B"}, {"B", "C"}, {"C", "D"}, {"A"}}

// makeOccasions draws the content plan: the two benchmark occasions, the
// personal ones (birthdays, anniversaries), yearly holidays and dates, and
// one-off campaigns from two years ago to half a year ahead.
func (g *generator) makeOccasions() {
	r, today := g.r, g.today
	day := func(n int) time.Time { return today.AddDate(0, 0, n) }

	add := func(o *occasion) {
		if o.id == "" {
			o.id = newId(r)
		}
		if o.created.IsZero() {
			o.created = g.moment(o.rule.Starts.AddDate(0, 0, -(7 + r.IntN(30))))
			if o.rule.Starts.IsZero() {
				o.created = g.moment(day(-(400 + r.IntN(300))))
			}
			if o.created.After(g.now) {
				o.created = g.now.Add(-time.Hour)
			}
		}
		g.occasions = append(g.occasions, o)
	}

	t := themes[6]
	add(&occasion{id: WorklistOccasionId, kind: t.kind, category: t.category, template: t.template,
		title: "Полезная статья: как сократить расходы на логистику / Article: cutting logistics costs",
		rule:  occurrence.Occasion{Repeat: "none", Starts: day(-20), Ends: day(20)}, noRandomTouches: true})
	t = themes[2]
	add(&occasion{id: MarkOccasionId, kind: t.kind, category: t.category, template: t.template,
		title: t.ru + " / " + t.en,
		rule:  occurrence.Occasion{Repeat: "none", Starts: day(-10), Ends: day(60)}, noRandomTouches: true})

	// personal occasions: two birthday and two anniversary campaigns
	personal := []struct {
		trigger, ru, en, template string
		starts                    time.Time
		segments                  []string
	}{
		{"birthday", "День рождения клиента", "Client's birthday",
			"{{contact}}, с днём рождения! Желаем успехов вам и {{client}}. {{manager}}\n\n{{contact}}, happy birthday! All the best to you and {{client}}. {{manager}}", day(-3 * 365), nil},
		{"birthday", "День рождения ключевого клиента: подарок", "Key client's birthday: gift",
			"{{contact}}, с днём рождения! Небольшой подарок от {{point}}. {{manager}}\n\n{{contact}}, happy birthday! A small gift from {{point}}. {{manager}}", day(-2 * 365), []string{"A+", "A"}},
		{"anniversary", "Годовщина сотрудничества", "Anniversary of working together",
			"{{contact}}, {{client}} с нами уже {{years}} лет — спасибо! {{manager}}\n\n{{contact}}, {{client}} has been with us for {{years}} years — thank you! {{manager}}", day(-3 * 365), nil},
		{"anniversary", "Годовщина: персональное предложение", "Anniversary: a personal offer",
			"{{contact}}, в честь {{years}} лет работы — персональные условия для {{client}}. {{manager}}\n\n{{contact}}, to mark {{years}} years together, personal terms for {{client}}. {{manager}}", day(-365), []string{"A+", "A", "B"}},
	}
	for _, p := range personal {
		category := "greeting"
		if p.segments != nil {
			category = "promo"
		}
		add(&occasion{kind: "standard", category: category, template: p.template, title: p.ru + " / " + p.en,
			rule:     occurrence.Occasion{Repeat: "yearly", Trigger: p.trigger, Starts: p.starts},
			segments: p.segments})
	}

	// yearly dates
	for _, y := range yearlyThemes {
		if len(g.occasions) >= g.cfg.Occasions {
			break
		}
		starts := time.Date(today.Year()-3, y.month, y.day, 0, 0, 0, 0, time.UTC)
		add(&occasion{kind: y.kind, category: y.category, template: y.template, title: y.ru + " / " + y.en,
			rule: occurrence.Occasion{Repeat: "yearly", Starts: starts, Ends: starts.AddDate(0, 0, y.days)}})
	}

	// one-off campaigns
	for n := 1; len(g.occasions) < g.cfg.Occasions; n++ {
		t := fake.Pick(r, themes)
		starts := day(-730 + r.IntN(910))
		o := &occasion{kind: t.kind, category: t.category, template: t.template,
			title: fmt.Sprintf("%s / %s (%s)", t.ru, t.en, starts.Format("01.2006")),
			rule:  occurrence.Occasion{Repeat: "none", Starts: starts}}
		if r.IntN(10) > 0 {
			o.rule.Ends = starts.AddDate(0, 0, 7+r.IntN(54))
		}
		if !o.rule.Ends.IsZero() && o.rule.Ends.Before(day(-90)) && r.IntN(10) < 4 {
			o.rule.Archived = true
		}
		if r.IntN(4) == 0 {
			o.points = r.Perm(len(g.points))[:1+r.IntN(4)]
		}
		if r.IntN(5) == 0 {
			o.segments = fake.Pick(r, segmentChoices)
		}
		add(o)
	}
	g.occasions = g.occasions[:g.cfg.Occasions]
}

// window is a span of days [from, to] in which a touch may be dated.
type window struct{ from, to time.Time }

// pastWindows returns the occurrence windows of a non-personal occasion
// that lie in the history the generator writes (the last three years up to
// yesterday), clipped to it.
func (g *generator) pastWindows(o *occasion) []window {
	first, last := g.today.AddDate(-3, 0, 0), g.today.AddDate(0, 0, -1)
	var out []window
	add := func(from, to time.Time) {
		if from.Before(first) {
			from = first
		}
		if to.IsZero() || to.After(last) {
			to = last
		}
		if !from.After(to) {
			out = append(out, window{from, to})
		}
	}
	switch {
	case o.personal():
	case o.rule.Repeat == "yearly":
		for _, oc := range occurrence.In(o.rule, first.AddDate(-1, 0, 0), last) {
			add(oc.From, oc.To)
		}
	default:
		if !o.rule.Starts.IsZero() {
			add(o.rule.Starts, o.rule.Ends)
		}
	}
	return out
}

// personalWindow returns a past window of a personal occasion for client
// c (empty when the client has no such date in the history).
func (g *generator) personalWindow(o *occasion, c *client) (window, bool) {
	first, last := g.today.AddDate(-3, 0, 0), g.today.AddDate(0, 0, -1)
	if s := o.rule.Starts; !s.IsZero() && s.After(first) {
		first = s
	}
	dates := occurrence.ClientDates(o.rule, c.dates, first, last.AddDate(0, 0, occurrence.LeadDays))
	if len(dates) == 0 {
		return window{}, false
	}
	d := dates[g.r.IntN(len(dates))]
	w := window{d.AddDate(0, 0, -occurrence.LeadDays), d.AddDate(0, 0, occurrence.GraceDays)}
	if w.from.Before(first) {
		w.from = first
	}
	if w.to.After(last) {
		w.to = last
	}
	return w, !w.from.After(w.to)
}

// randomDay picks a day in w.
func randomDay(r *rand.Rand, w window) time.Time {
	days := int(w.to.Sub(w.from)/(24*time.Hour)) + 1
	return w.from.AddDate(0, 0, r.IntN(days))
}
