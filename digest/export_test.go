package digest

// NewTokenTTL is newToken for the tests: an unsubscribe token of user that
// expires after ttl (negative: already expired).
var NewTokenTTL = newToken
