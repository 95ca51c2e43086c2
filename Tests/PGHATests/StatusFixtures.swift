@testable import PGHA

/// The real `cibadmin -Q` and `crm_mon --output-as=xml` of the 3-node lab (Pacemaker 2.1.5; pgsqld in
/// pgsql-ha, n3 promoted, scores n3 1001, n1 1000, n2 999), kept in Fixtures/.
enum StatusFixtures {
    static func text(_ name: String) -> String {
        let directory = String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            .joined(separator: "/"))
        return FileSystem.read(directory + "/Fixtures/" + name) ?? ""
    }

    static var cib: String { text("cib.xml") }
    static var crmMon: String { text("crm_mon.xml") }
}
