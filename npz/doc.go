// Package npz reads and writes NumPy .npz archives (zip files of .npy
// members) and memory-maps their stored members in place.
package npz
