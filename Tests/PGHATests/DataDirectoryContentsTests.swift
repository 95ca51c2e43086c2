import PGHA
import Testing

@Suite("DataDirectoryContents")
struct DataDirectoryContentsTests {
    @Test("what a start with bootstrap=true finds, from the entry names", arguments: [
        (nil, DataDirectoryContents.missing),
        ([], .empty),
        (["lost+found"], .empty),
        ([".pgha-clone-partial"], .empty),
        ([".pgha-clone-partial", "base", "global"], .cloneInterrupted),
        ([".pgha-clone", "base", "global"], .cloneFinished),
        ([".pgha-clone"], .cloneFinished),
        (["PG_VERSION", "base", ".pgha-clone"], .data),
        (["PG_VERSION", "base", "global", "pg_wal"], .data),
        (["PG_VERSION", ".pgha-clone-partial"], .data),
        (["base", "global"], .foreign),
        (["notes.txt"], .foreign),
    ] as [([String]?, DataDirectoryContents)])
    func classify(entries: [String]?, expected: DataDirectoryContents) {
        #expect(DataDirectoryContents.classify(entries: entries) == expected)
    }

    @Test("a clone is made into missing, empty and cut-short directories only, never over data or foreign files")
    func needsClone() {
        #expect(DataDirectoryContents.missing.needsClone)
        #expect(DataDirectoryContents.empty.needsClone)
        #expect(DataDirectoryContents.cloneInterrupted.needsClone)
        #expect(DataDirectoryContents.cloneFinished.needsClone)
        #expect(!DataDirectoryContents.data.needsClone)
        #expect(!DataDirectoryContents.foreign.needsClone)
    }
}
