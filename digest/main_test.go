package digest_test

import (
	"testing"
	"time"

	"touchbase/internal/testapp"
)

func TestMain(m *testing.M) {
	// service managers without a point have the server's zone: pin it,
	// so the 08:00 tests do not depend on the machine's
	time.Local = time.UTC
	testapp.Main(m)
}
