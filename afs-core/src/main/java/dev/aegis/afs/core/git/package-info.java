/**
 * A configuration repository as files ({@code type: git}, read-only, JGit): {@code config/} is
 * the tree at the branch's tip, {@code config/.history} the recent commits and
 * {@code config/.diff} what changed in a window or in one commit. Every read is evidence naming
 * the commit it read.
 */
package dev.aegis.afs.core.git;
