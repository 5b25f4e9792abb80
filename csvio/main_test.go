package csvio_test

import (
	"testing"

	"touchbase/testapp"
)

func TestMain(m *testing.M) { testapp.Main(m) }
