package npz

import (
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// Sync recomputes the CRC-32 of every stored member opened with Archive.Open in
// r+ and writes it where the archive keeps it: always in the member's
// central directory record (the copy zipfile checks); in the local header
// only when flag bit 3 is clear (with it set, that field means nothing);
// in a data descriptor only when one verifiably follows the data. Nothing
// else in the archive changes. Sync then syncs the archive file. Python's
// zipfile, and so np.load, checks the CRC and rejects a member whose bytes
// changed without it. Flush (or Close) the member Files first on systems
// where mapped writes are not visible to reads (Linux and macOS share one
// page cache, so no flush is needed there). Close calls Sync in r+; nothing
// is written in r or c.
func (a *Archive) Sync() error {
	end, err := a.begin("sync")
	if err != nil {
		return err
	}
	defer end()
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	return a.syncCRCs()
}

// syncCRCs is Sync; the caller holds syncMu. Members are read through
// (with positioned reads of the file, never through a mapping, which would
// fault past the end of a truncated file) without mu, so that listing and
// verifying go on meanwhile. Every CRC is computed, and the archive found
// still whole, before any is written; a CRC is written only when it
// changed. Only r+ marks members written, so in r and c nothing is read or
// written.
func (a *Archive) syncCRCs() error {
	if !slices.Contains(a.written, true) {
		return nil
	}
	if err := a.checkSize(); err != nil {
		return fmt.Errorf("sync %s: %w", a.path, err)
	}
	type update struct {
		member   int
		old, now uint32
	}
	var updates []update
	for i, written := range a.written {
		if !written {
			continue
		}
		m := &a.members[i]
		n, now, err := a.memberCRC(m, io.Discard)
		if err == nil && n != m.UncompressedSize {
			err = fmt.Errorf("%w: %d bytes declared, %d found", ErrSizeMismatch, m.UncompressedSize, n)
		}
		if err != nil {
			return fmt.Errorf("sync %s: member %q: %w", a.path, m.Name, err)
		}
		if old := a.crc(i); now != old {
			updates = append(updates, update{i, old, now})
		}
	}
	if len(updates) == 0 {
		return nil
	}
	// Once more just before writing: a write past the end would extend the
	// file with a hole.
	if err := a.checkSize(); err != nil {
		return fmt.Errorf("sync %s: %w", a.path, err)
	}
	for _, u := range updates {
		m, l := &a.members[u.member], a.layouts[u.member]
		at := crcFields(m.LocalHeaderOffset, l)
		if l.descriptorCRC >= 0 {
			// Found at Open; rewrite it only if it still holds the old CRC.
			var found [4]byte
			if _, err := a.file.ReadAt(found[:], l.descriptorCRC); err == nil && binary.LittleEndian.Uint32(found[:]) == u.old {
				at = append(at, l.descriptorCRC)
			}
		}
		var crc [4]byte
		binary.LittleEndian.PutUint32(crc[:], u.now)
		for _, off := range at {
			if _, err := a.file.WriteAt(crc[:], off); err != nil {
				return fmt.Errorf("sync %s: member %q: %w", a.path, m.Name, err)
			}
		}
		a.mu.Lock()
		a.crcs[u.member] = u.now
		a.mu.Unlock()
	}
	if err := a.file.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", a.path, err)
	}
	return nil
}
