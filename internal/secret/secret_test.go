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

// No envelope but the one sealed opens: a changed, truncated or forged
// envelope fails with ErrNotOpened, without a panic.
func FuzzOpen(f *testing.F) {
	k, _ := keyring(f, "k1")
	env, _ := k.Seal("value", at)
	f.Add(env)
	for _, seed := range []string{"v1.k1.", "v1.k1", "v1..AAAA", "v2.k1.AAAA", "v1.K1.AAAA", "v1.k1.AAAA=", "v1.k1.////", "v1.k1." + strings.Repeat("A", 40)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, envelope string) {
		got, err := k.Open(envelope, at)
		if err == nil && (got != "value" || envelope != env) {
			t.Fatalf("a forged envelope opened to %q", got)
		}
		if err != nil && !errors.Is(err, ErrNotOpened) {
			t.Fatalf("Open(%q): %v is not ErrNotOpened", envelope, err)
		}
	})
}

// Whatever is sealed opens to itself under its binding, and under no other:
// moving one byte from one part of the binding to the next, or changing a
// part, makes it fail.
func FuzzSealOpen(f *testing.F) {
	k, _ := keyring(f, "k1")
	f.Add("hunter2", "org_a", "container_registries", "crg_1", "password")
	f.Add("", "", "", "", "")
	f.Add("\x00\xff", "org_ab", "c", "", "x")
	f.Fuzz(func(t *testing.T, plain, org, table, row, field string) {
		b := Binding{org, table, row, field}
		env, err := k.Seal(plain, b)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := k.Open(env, b); err != nil || got != plain {
			t.Fatalf("Open(Seal(%q)) = %q, %v", plain, got, err)
		}
		parts := []string{org, table, row, field}
		var others []Binding
		for i := range parts {
			changed := append([]string(nil), parts...)
			changed[i] += "x"
			others = append(others, Binding{changed[0], changed[1], changed[2], changed[3]})
			if i+1 < len(parts) && parts[i] != "" {
				moved := append([]string(nil), parts...)
				moved[i], moved[i+1] = parts[i][:len(parts[i])-1], parts[i][len(parts[i])-1:]+parts[i+1]
				others = append(others, Binding{moved[0], moved[1], moved[2], moved[3]})
			}
		}
		for _, o := range others {
			if _, err := k.Open(env, o); !errors.Is(err, ErrNotOpened) {
				t.Fatalf("sealed for %+v, opened for %+v: %v", b, o, err)
			}
		}
	})
}

// A keyring specification that does not parse is refused with an error that
// never repeats a key's material.
func FuzzParse(f *testing.F) {
	good, _ := NewKey("k1")
	f.Add(good)
	f.Add(good + "," + good)
	f.Add("K1:" + good[3:])
	f.Add("k1:c2hvcnQ=")
	f.Add("k1:" + strings.Repeat("!", 44))
	f.Add(",,")
	f.Fuzz(func(t *testing.T, spec string) {
		k, err := Parse(spec)
		if err == nil {
			if k.Current() == "" {
				t.Fatal("a keyring without a current key")
			}
			return
		}
		for _, item := range strings.Split(spec, ",") {
			id, material, ok := strings.Cut(strings.TrimSpace(item), ":")
			if ok && len(material) >= 8 && !strings.Contains(id, material) && strings.Contains(err.Error(), ":"+material) {
				t.Fatalf("Parse(%q): the error %q shows key material", spec, err)
			}
		}
	})
}
