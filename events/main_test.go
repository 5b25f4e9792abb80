package events_test

import (
	"testing"

	"touchbase/internal/testapp"
)

func TestMain(m *testing.M) { testapp.Main(m) }
