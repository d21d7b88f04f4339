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
// without mu, so that listing and verifying go on meanwhile, and a CRC is
// written only when it changed. Only r+ marks members written, so in r and
// c nothing is read or written.
func (a *Archive) syncCRCs() error {
	if !slices.Contains(a.written, true) {
		return nil
	}
	for i, written := range a.written {
		if !written {
			continue
		}
		m, l := &a.members[i], a.layouts[i]
		_, now, err := a.memberCRC(m, io.Discard)
		if err != nil {
			return fmt.Errorf("sync %s: member %q: %w", a.path, m.Name, err)
		}
		old := a.crc(i)
		if now == old {
			continue
		}
		// The directory's CRC is the one zipfile checks; the local header's
		// only counts without flag bit 3 (with it, the descriptor's does).
		at := []int64{l.central + centralCRCOffset}
		if !l.flagDescriptor {
			at = append(at, m.LocalHeaderOffset+localCRCOffset)
		}
		if l.descriptorCRC >= 0 {
			// Found at Open; rewrite it only if it still holds the old CRC.
			var found [4]byte
			if _, err := a.file.ReadAt(found[:], l.descriptorCRC); err == nil && binary.LittleEndian.Uint32(found[:]) == old {
				at = append(at, l.descriptorCRC)
			}
		}
		var crc [4]byte
		binary.LittleEndian.PutUint32(crc[:], now)
		for _, off := range at {
			if _, err := a.file.WriteAt(crc[:], off); err != nil {
				return fmt.Errorf("sync %s: member %q: %w", a.path, m.Name, err)
			}
		}
		a.mu.Lock()
		a.crcs[i] = now
		a.mu.Unlock()
	}
	if err := a.file.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", a.path, err)
	}
	return nil
}
