package secret

import (
	"errors"
	"strings"
	"testing"
)

func keyring(t testing.TB, ids ...string) (*Keyring, []string) {
	t.Helper()
	var specs []string
	for _, id := range ids {
		k, err := NewKey(id)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, k)
	}
	k, err := Parse(strings.Join(specs, ","))
	if err != nil {
		t.Fatal(err)
	}
	return k, specs
}

var at = Binding{Organization: "org_a", Table: "container_registries", Row: "crg_1", Field: "password"}

func TestSealedValuesOpenOnlyWhereTheyWereSealed(t *testing.T) {
	k, _ := keyring(t, "k1")
	env, err := k.Seal("hunter2", at)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(env, "hunter2") || !strings.HasPrefix(env, "v1.k1.") {
		t.Fatalf("envelope %q", env)
	}
	if got, err := k.Open(env, at); err != nil || got != "hunter2" {
		t.Fatalf("open: %q %v", got, err)
	}
	for name, elsewhere := range map[string]Binding{
		"another organization": {Organization: "org_b", Table: at.Table, Row: at.Row, Field: at.Field},
		"another table":        {Organization: at.Organization, Table: "git_tokens", Row: at.Row, Field: at.Field},
		"another row":          {Organization: at.Organization, Table: at.Table, Row: "crg_2", Field: at.Field},
		"another field":        {Organization: at.Organization, Table: at.Table, Row: at.Row, Field: "secret_access_key"},
		// Length prefixes keep the parts apart: moving a character across a boundary is another binding.
		"shifted parts": {Organization: at.Organization + "c", Table: at.Table[1:], Row: at.Row, Field: at.Field},
	} {
		if _, err := k.Open(env, elsewhere); !errors.Is(err, ErrNotOpened) {
			t.Errorf("%s: opened: %v", name, err)
		}
	}
	// Tampering with any byte fails.
	for i := len("v1.k1."); i < len(env); i++ {
		b := []byte(env)
		b[i] ^= 1
		if _, err := k.Open(string(b), at); err == nil {
			t.Fatalf("a tampered envelope (byte %d) opened", i)
		}
	}
	for _, bad := range []string{"", "v1", "v1.k1", "v2.k1.AAAA", "v1.K1.AAAA", "v1.k1.!!!!", "v1.k1.AAAA"} {
		if _, err := k.Open(bad, at); !errors.Is(err, ErrNotOpened) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// The first key seals and every key opens: a new key goes first, values
// are re-sealed under it, and only then is the old one dropped.
func TestKeysRotate(t *testing.T) {
	old, specs := keyring(t, "k1")
	env, _ := old.Seal("hunter2", at)
	newKey, _ := NewKey("k2")
	both, err := Parse(newKey + "," + specs[0])
	if err != nil {
		t.Fatal(err)
	}
	if got, err := both.Open(env, at); err != nil || got != "hunter2" {
		t.Fatalf("the new keyring does not open the old value: %v", err)
	}
	resealed, _ := both.Seal("hunter2", at)
	if id, _ := KeyID(resealed); id != "k2" {
		t.Fatalf("sealed under %q, want the first key", id)
	}
	onlyNew, _ := Parse(newKey)
	if got, err := onlyNew.Open(resealed, at); err != nil || got != "hunter2" {
		t.Fatalf("after dropping the old key: %v", err)
	}
	if _, err := onlyNew.Open(env, at); !errors.Is(err, ErrNotOpened) {
		t.Fatalf("a value under a dropped key opened: %v", err)
	}
}

func TestParseRefusesBadKeyrings(t *testing.T) {
	good, _ := NewKey("k1")
	material := strings.SplitN(good, ":", 2)[1]
	for _, spec := range []string{"", ",", "k1", "K1:" + material, "k1:short", "k1:" + material + ",k1:" + material, "k 1:" + material} {
		_, err := Parse(spec)
		if err == nil {
			t.Errorf("%q was accepted", spec)
			continue
		}
		if strings.Contains(err.Error(), material) {
			t.Errorf("the error shows the key: %v", err)
		}
	}
}

func FuzzOpen(f *testing.F) {
	k, _ := keyring(f, "k1")
	env, _ := k.Seal("value", at)
	f.Add(env)
	f.Add("v1.k1.")
	f.Fuzz(func(t *testing.T, envelope string) {
		got, err := k.Open(envelope, at)
		if err == nil && got != "value" {
			t.Fatalf("a forged envelope opened to %q", got)
		}
	})
}
