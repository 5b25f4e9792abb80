package digest

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// NewTokenTTL is newToken for the tests: an unsubscribe token of user that
// expires ttl from now (negative: already expired).
func NewTokenTTL(user *core.Record, ttl time.Duration) (string, error) {
	return newToken(user, time.Now().Add(ttl))
}
