package realtime

import (
	"encoding/json"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/routine"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"touchbase/access"
)

// OccasionsTopic tells a page that an occasion it may see was created or
// changed, or one of its templates: the page reloads its occasions (the
// picker's list and counts) from the API. The message names the occasion
// and nothing else: {"action":"update","occasion":"ID"}. It takes no
// options.
const OccasionsTopic = "touchbase/occasions"

// publishOccasion sends ev (an occasion, or a template whose occasion it
// names) to the subscribers who may view that occasion now: each one's
// user is read from the database, and PocketBase's own view rule of
// occasions decides. Occasions change a few times a day, so a query per
// subscriber is the plain path, and it is the rule itself, not a copy.
// A deleted occasion is not announced: nobody may view it any more.
func (d *delivery) publishOccasion(ev event) {
	occasionId := ev.record.Id
	if ev.record.Collection().Name != "occasions" {
		occasionId = ev.record.GetString("occasion")
	}
	occasion, err := d.app.FindRecordById("occasions", occasionId)
	if err != nil {
		return
	}
	data, err := json.Marshal(map[string]string{"action": ev.action, "occasion": occasion.Id})
	if err != nil {
		return
	}
	msg := subscriptions.Message{Name: OccasionsTopic, Data: data}
	rule := occasion.Collection().ViewRule
	for _, client := range d.app.SubscriptionsBroker().Clients() {
		if client.IsDiscarded() || !client.HasSubscription(OccasionsTopic) {
			continue
		}
		claimed, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record)
		if !access.IsStaff(claimed) {
			continue
		}
		user, err := d.app.FindRecordById(claimed.Collection().Id, claimed.Id)
		if err != nil || user.TokenKey() != claimed.TokenKey() {
			continue // deleted or signed out since
		}
		if ok, err := d.app.CanAccessRecord(occasion, &core.RequestInfo{Auth: user, Method: "GET", Context: core.RequestInfoContextRealtime}, rule); err == nil && ok {
			routine.FireAndForget(func() { client.Send(msg) })
		}
	}
}
