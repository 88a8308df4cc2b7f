package secret

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// ErrNoKeys is returned when no keys are configured where they must be.
var ErrNoKeys = errors.New("no secret keys: set ORGQL_SECRET_KEYS (or --secret-keys-file) to id:key entries, the first of which seals; `orgql secrets new-key` makes one")

// Load returns the configured keyring: from spec (ORGQL_SECRET_KEYS) when
// given, else from the file at file. Without either, and with a fallback
// path (the embedded default keeps its keys next to its database file), it
// reads the keyring kept there, creating it with a fresh key, readable by
// its owner only, on first use; created then says so. Without a fallback,
// ErrNoKeys.
func Load(spec, file, fallback string) (k *Keyring, created bool, err error) {
	switch {
	case spec != "":
		k, err = Parse(spec)
		return k, false, err
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, false, fmt.Errorf("read secret keys: %w", err)
		}
		k, err = Parse(strings.TrimSpace(string(b)))
		return k, false, err
	case fallback == "":
		return nil, false, ErrNoKeys
	}
	b, err := os.ReadFile(fallback)
	if errors.Is(err, fs.ErrNotExist) {
		entry, err := NewKey("k1")
		if err != nil {
			return nil, false, err
		}
		f, err := os.OpenFile(fallback, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("create secret keys: %w", err)
		}
		if _, err := f.WriteString(entry + "\n"); err != nil {
			f.Close()
			return nil, false, fmt.Errorf("write secret keys: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, false, fmt.Errorf("write secret keys: %w", err)
		}
		k, err = Parse(entry)
		return k, true, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("read secret keys: %w", err)
	}
	if info, err := os.Stat(fallback); err == nil && info.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("secret keys file %s is readable by others (mode %v): chmod 600 it", fallback, info.Mode().Perm())
	}
	k, err = Parse(strings.TrimSpace(string(b)))
	return k, false, err
}
