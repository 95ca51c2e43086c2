/// What a data directory holds, as far as starting it or cloning it into it is concerned. Read from the
/// names of its entries only: PostgreSQL's own PG_VERSION, and the two directories a clone passes through.
public enum DataDirectoryContents: Equatable, Sendable {
    /// No directory at all.
    case missing
    /// Nothing but `lost+found` (a file system's root) or an abandoned partial clone: a clone may start.
    case empty
    /// A clone was being written when the agent stopped: what is there is removed and the clone redone.
    case cloneInterrupted
    /// A finished clone was being moved into place: only the move is left to do.
    case cloneFinished
    /// PostgreSQL's files (PG_VERSION).
    case data
    /// Something else: never ours to remove.
    case foreign

    /// pg_basebackup writes here, inside the data directory: a mount point cannot be renamed, and the
    /// clone must land on the same file system to be moved into place with renames.
    public static let partialClone = ".pgha-clone-partial"
    /// The partial clone is renamed to this once pg_basebackup succeeded and the old files are gone.
    public static let finishedClone = ".pgha-clone"

    /// Pure: classifies the entry names of a directory (nil: no directory). PG_VERSION is moved into place
    /// last and removed first, so a directory with it is whole data.
    public static func classify(entries: [String]?) -> DataDirectoryContents {
        guard let entries else { return .missing }
        let names = Set(entries).subtracting([".", "..", "lost+found"])
        if names.contains(finishedClone) { return names.contains("PG_VERSION") ? .data : .cloneFinished }
        if names.contains("PG_VERSION") { return .data }
        if names.isEmpty || names == [partialClone] { return .empty }
        return names.contains(partialClone) ? .cloneInterrupted : .foreign
    }

    /// True when a start with bootstrap=true clones into this directory.
    public var needsClone: Bool { self != .data && self != .foreign }
}
