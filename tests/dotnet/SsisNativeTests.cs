// Console test of powershell/SsisService/SsisNative.cs against the real library, run under
// Mono by tests/dotnet/run.sh: every function, error paths (exceptions carrying the error
// JSON), invalid UTF-8 through the raw imports, threads, and a round trip of the
// non-ASCII name "Überweisung €" as a folder and a package; with $SSIS_TEST_SERVICE_SOCKET (a
// service whose store holds examples/ and tests/c/fixtures/ as \File System\Tests, which
// tests/dotnet/run.sh starts), running, waiting for, stopping and listing packages, their
// output, the event log and the service information.
// Usage: mono SsisNativeTests.exe <empty work directory> [<copy of examples/>]
// C# 5 only (mcs -langversion:5).
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using SsisService;

public static class SsisNativeTests
{
    private static int passed;
    private static int failed;

    private static void Check(bool condition, string what)
    {
        if (condition)
        {
            passed++;
        }
        else
        {
            failed++;
            Console.Error.WriteLine("FAIL: " + what);
        }
    }

    private static void Contains(string json, string needle, string what)
    {
        Check(json != null && json.Contains(needle), what + ": " + (json ?? "(null)") + " lacks " + needle);
    }

    /// <summary>Runs `action`, which must throw SsisException with `status` (and `needle` in the JSON).</summary>
    private static void Throws(string what, SsisStatus status, string needle, Action action)
    {
        try
        {
            action();
            Check(false, what + ": no exception, expected " + status);
        }
        catch (SsisException e)
        {
            bool ok = e.Status == status && e.ErrorJson != null && e.Kind == status.ToString()
                && (needle == null || e.ErrorJson.Contains(needle));
            Check(ok, what + ": got " + e.Status + "/" + e.Kind + " " + e.ErrorJson + ", expected " + status
                + (needle == null ? "" : " with " + needle));
        }
        catch (Exception e)
        {
            Check(false, what + ": unexpected " + e);
        }
    }

    /// <summary>Runs `action`; an exception is a failure (reported, not thrown).</summary>
    private static void Ok(string what, Action action)
    {
        try
        {
            action();
            passed++;
        }
        catch (Exception e)
        {
            Check(false, what + ": " + e.GetType().Name + ": " + e.Message
                + (e is SsisException ? " " + ((SsisException)e).ErrorJson : ""));
        }
    }

    private const string ConfigXml =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" +
        "<DtsServiceConfiguration xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" " +
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n" +
        "  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>\n" +
        "  <TopLevelFolders>\n" +
        "    <Folder xsi:type=\"FileSystemFolder\">\n" +
        "      <Name>File System</Name>\n" +
        "      <StorePath>Packages</StorePath>\n" +
        "    </Folder>\n" +
        "  </TopLevelFolders>\n" +
        "</DtsServiceConfiguration>\n";

    private const string PackageXml =
        "<?xml version=\"1.0\"?>\n" +
        "<DTS:Executable xmlns:DTS=\"www.microsoft.com/SqlServer/Dts\" DTS:refId=\"Package\"\n" +
        "  DTS:CreationDate=\"1/2/2024 10:00:00 AM\" DTS:CreationName=\"Microsoft.Package\"\n" +
        "  DTS:CreatorComputerName=\"HOST\" DTS:CreatorName=\"HOST\\user\"\n" +
        "  DTS:DTSID=\"{5C4F0C1E-2B9A-4E4B-9B2F-1A2B3C4D5E6F}\" DTS:ExecutableType=\"Microsoft.Package\"\n" +
        "  DTS:LastModifiedProductVersion=\"15.0.2000.170\" DTS:LocaleID=\"1033\"\n" +
        "  DTS:ObjectName=\"DotNetTest\" DTS:PackageType=\"5\" DTS:VersionBuild=\"3\"\n" +
        "  DTS:VersionGUID=\"{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}\">\n" +
        "  <DTS:Property DTS:Name=\"PackageFormatVersion\">8</DTS:Property>\n" +
        "  <DTS:Variables />\n" +
        "  <DTS:Executables />\n" +
        "</DTS:Executable>\n";

    private const string Euro = "Überweisung €";

    public static int Main(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: SsisNativeTests.exe <empty work directory>");
            return 2;
        }
        string work = args[0];
        string config = Path.Combine(work, "MsDtsSrvr.ini.xml");
        string packageFile = Path.Combine(work, "DotNetTest.dtsx");
        Directory.CreateDirectory(Path.Combine(work, "Packages"));
        File.WriteAllText(config, ConfigXml, new UTF8Encoding(false));
        File.WriteAllText(packageFile, PackageXml, new UTF8Encoding(false));

        TestVersion();
        TestErrors(config);
        TestConfig(work, config);
        TestConfigPatch(work);

        SsisSessionHandle session = null;
        Ok("Connect", delegate { session = SsisNative.Connect("embedded:" + config, null); });
        if (session != null)
        {
            using (session)
            {
                TestSessionConfig(session);
                TestStore(session, work, packageFile);
                TestResolvePackages(session, packageFile);
                TestThreads(session);
                TestServiceFunctionsNeedAService(session);
            }
            Check(session.IsClosed, "Dispose released the session");
        }
        if (args.Length > 1)
        {
            TestExamples(args[1]);
        }
        string socket = Environment.GetEnvironmentVariable("SSIS_TEST_SERVICE_SOCKET");
        if (!string.IsNullOrEmpty(socket) && args.Length > 1)
        {
            TestService(socket, args[1]);
        }
        else
        {
            Console.WriteLine("service tests skipped: set SSIS_TEST_SERVICE_SOCKET and pass the examples directory (tests/dotnet/run.sh does)");
        }

        TestNativeLoader();

        Console.WriteLine(passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }

    private static void TestVersion()
    {
        string version = SsisNative.Version();
        Check(version != null && char.IsDigit(version[0]) && version.Split('.').Length >= 3, "Version: " + version);
        Check(SsisNative.AbiVersion() == SsisNative.ExpectedAbiVersion, "AbiVersion");
        Ok("EnsureAbi", SsisNative.EnsureAbi);
        Check(SsisNative.StatusName(0) == "SSIS_OK", "StatusName(0)");
        Check(SsisNative.StatusName((int)SsisStatus.NotFound) == "SSIS_NOT_FOUND", "StatusName(NotFound)");
        Check(SsisNative.StatusName(99) == "SSIS_UNKNOWN_STATUS", "StatusName(99)");
        foreach (SsisStatus status in Enum.GetValues(typeof(SsisStatus)))
        {
            string name = SsisNative.StatusName((int)status);
            Check(name.Replace("_", "") == "SSIS" + status.ToString().ToUpperInvariant(),
                "C# enum " + status + " = " + (int)status + " matches " + name);
        }
    }

    private static void TestErrors(string config)
    {
        Throws("Connect bad options", SsisStatus.InvalidArgument, "options_json",
            delegate { SsisNative.Connect("embedded:" + config, "{\"Nope\":1}"); });
        Throws("Connect remote", SsisStatus.Connection, null,
            delegate { SsisNative.Connect("http://example:1", null); });
        string last = SsisNative.LastError();
        Contains(last, "\"Kind\":\"Connection\"", "LastError after failure");
        Throws("Connect to a socket where no service listens", SsisStatus.Connection, "none €.sock",
            delegate { SsisNative.Connect("unix:" + Path.Combine(Path.GetDirectoryName(config), "none €.sock"), null); });
        Ok("Connect embedded: (configuration in force)", delegate
        {
            using (SsisSessionHandle d = SsisNative.Connect("embedded:", null))
            {
                Contains(SsisNative.ListFolders(d, ""), "\"Name\":\"File System\"", "default configuration session");
            }
        });

        // Invalid UTF-8 and NULL straight through the raw imports.
        IntPtr json;
        int st = SsisNative.Native.ssis_config_read(new byte[] { 0x61, 0xff, 0x62, 0 }, out json);
        Check(st == (int)SsisStatus.InvalidArgument, "raw invalid UTF-8 path: " + st);
        Contains(SsisNative.LastError(), "\"Target\":\"path\"", "invalid UTF-8 names the parameter");
        st = SsisNative.Native.ssis_config_validate(new byte[] { 0xc3, 0x28, 0 }, null, out json);
        Check(st == (int)SsisStatus.InvalidArgument && json == IntPtr.Zero, "validate(bad UTF-8)");
        st = SsisNative.Native.ssis_list_folders(new SsisSessionHandle(), null, out json);
        Check(st == (int)SsisStatus.InvalidArgument, "NULL session handle: " + st);
        Contains(SsisNative.LastError(), "\"Target\":\"session\"", "NULL session names the parameter");
        try
        {
            SsisNative.ConfigRead("a\0b");
            Check(false, "embedded NUL accepted");
        }
        catch (ArgumentException)
        {
            passed++;
        }
        try
        {
            SsisNative.ConfigRead("bad \ud800 surrogate");
            Check(false, "lone surrogate accepted");
        }
        catch (ArgumentException)
        {
            passed++;
        }
        Check(JsonText.TopLevelString("{\"A\":{\"Kind\":\"x\"},\"Kind\":\"Y\\\"z\"}", "Kind") == "Y\"z",
            "JsonText reads top-level strings only");
    }

    private static void TestConfig(string work, string config)
    {
        string bad = Path.Combine(work, "bad.xml");
        File.WriteAllText(bad, "<DtsServiceConfiguration>\n  <TopLevelFolders>\n</DtsServiceConfiguration>\n");
        Ok("ConfigRead", delegate
        {
            string json = SsisNative.ConfigRead(config);
            Contains(json, "\"Name\":\"File System\"", "ConfigRead");
            string copy = Path.Combine(work, "copy €.ini.xml");
            SsisNative.ConfigWrite(copy, json);
            Contains(SsisNative.ConfigRead(copy), "\"StorePath\":\"Packages\"", "ConfigWrite round trip");
        });
        Ok("ConfigRead default", delegate { Contains(SsisNative.ConfigRead(null), "File System", "default config"); });
        Throws("ConfigRead bad", SsisStatus.Configuration, "\"Line\":3", delegate { SsisNative.ConfigRead(bad); });
        try
        {
            SsisNative.ConfigRead(bad);
            Check(false, "ConfigRead bad: no exception");
        }
        catch (SsisException e)
        {
            // The location reaches .NET callers (PowerShell's ErrorDetails use DetailedMessage).
            Check(e.File != null && e.File.EndsWith("bad.xml"), "SsisException.File: " + e.File);
            Check(e.Line == 3 && e.Column != null, "SsisException.Line/Column: " + e.Line + "/" + e.Column);
            Check(e.Location != null && e.Location.Contains("bad.xml, line 3, column "), "SsisException.Location: " + e.Location);
            Check(e.DetailedMessage.StartsWith(e.Message) && e.DetailedMessage.Contains("(at ") && e.DetailedMessage.Contains("line 3"),
                "SsisException.DetailedMessage: " + e.DetailedMessage);
        }
        Ok("JsonText raw and integer members", delegate
        {
            string json = "{\"Kind\":\"X\",\"Details\":{\"File\":\"a \\\"b\\\".xml\",\"Line\":12,\"Column\":4},\"N\":[1,{\"Line\":9}]}";
            Check(JsonText.TopLevelRaw(json, "Kind") == null, "TopLevelRaw of a string is null");
            Check(JsonText.TopLevelString(JsonText.TopLevelRaw(json, "Details"), "File") == "a \"b\".xml", "nested File");
            Check(JsonText.TopLevelInteger(JsonText.TopLevelRaw(json, "Details"), "Line") == 12, "nested Line");
            Check(JsonText.TopLevelInteger(json, "Line") == null, "Line is not top-level");
            Check(JsonText.TopLevelRaw(json, "N") == "[1,{\"Line\":9}]", "raw array: " + JsonText.TopLevelRaw(json, "N"));
            SsisException none = new SsisException(SsisStatus.NotFound, "NotFound", "no such folder", "\\X", "{\"Kind\":\"NotFound\"}");
            Check(none.Location == null && none.Line == null, "no location");
            Check(none.DetailedMessage == "no such folder [\\X]", "target appended: " + none.DetailedMessage);
        });
        Throws("ConfigRead missing", SsisStatus.NotFound, "missing.xml",
            delegate { SsisNative.ConfigRead(Path.Combine(work, "missing.xml")); });
        Ok("ConfigValidate", delegate
        {
            Contains(SsisNative.ConfigValidate(bad, null), "\"Valid\":false", "ConfigValidate bad");
            Contains(SsisNative.ConfigValidate(config, null), "\"Valid\":true", "ConfigValidate good");
            Contains(SsisNative.ConfigValidate(null, "{\"TopLevelFolders\":7}"), "\"Valid\":false", "ConfigValidate json");
        });
        Ok("ConfigValidate default", delegate
        {
            Contains(SsisNative.ConfigValidate(null, null), "\"Valid\":true", "ConfigValidate default");
        });
        Throws("ConfigWrite NULL json", SsisStatus.InvalidArgument, "config_json",
            delegate { SsisNative.ConfigWrite(Path.Combine(work, "x.xml"), null); });
    }

    /// <summary>ssis_config_patch and ssis_set_config_patch: only the named settings change;
    /// grants (a non-ASCII principal), listeners and unknown elements are kept.</summary>
    private static void TestConfigPatch(string work)
    {
        string dir = Path.Combine(work, "patch");
        Directory.CreateDirectory(Path.Combine(dir, "Packages"));
        string file = Path.Combine(dir, "MsDtsSrvr.ini.xml");
        string xml = ConfigXml.Replace("</DtsServiceConfiguration>",
            "  <SsisService>\n" +
            "    <RetentionDays>30</RetentionDays>\n" +
            "    <Listen Address=\"127.0.0.1:8443\" Certificate=\"c.pem\" Key=\"k.pem\" />\n" +
            "    <Grants><Grant Principal=\"user:Jürgen€\" Rights=\"Connect,Read\" /></Grants>\n" +
            "    <Future Keep=\"1\" />\n" +
            "  </SsisService>\n" +
            "</DtsServiceConfiguration>");
        File.WriteAllText(file, xml, new UTF8Encoding(false));
        Ok("ConfigPatch", delegate
        {
            string json = SsisNative.ConfigPatch(file, "{\"StopExecutingPackagesOnShutdown\":false}");
            Contains(json, "\"StopExecutingPackagesOnShutdown\":false", "ConfigPatch applied");
            Contains(json, "\"Principal\":\"user:Jürgen€\"", "ConfigPatch keeps grants");
            Contains(json, "\"Address\":\"127.0.0.1:8443\"", "ConfigPatch keeps listeners");
            Contains(json, "\"RetentionDays\":30", "ConfigPatch keeps RetentionDays");
            Contains(File.ReadAllText(file, Encoding.UTF8), "<Future Keep=\"1\" />", "ConfigPatch keeps unknown elements");
        });
        Throws("ConfigPatch not an object", SsisStatus.InvalidArgument, "patch_json",
            delegate { SsisNative.ConfigPatch(file, "[1]"); });
        Throws("ConfigPatch NULL patch", SsisStatus.InvalidArgument, "patch_json",
            delegate { SsisNative.ConfigPatch(file, null); });
        Throws("ConfigPatch invalid result", SsisStatus.Configuration, "Nope",
            delegate { SsisNative.ConfigPatch(file, "{\"Extensions\":{\"Nope\":1}}"); });
        Throws("ConfigPatch missing file", SsisStatus.NotFound, "missing.xml",
            delegate { SsisNative.ConfigPatch(Path.Combine(dir, "missing.xml"), "{}"); });
        SsisSessionHandle s = null;
        Ok("Connect patch", delegate { s = SsisNative.Connect("embedded:" + file, null); });
        if (s == null)
        {
            return;
        }
        using (s)
        {
            Ok("SetConfigPatch", delegate
            {
                string json = SsisNative.SetConfigPatch(s, "{\"Extensions\":{\"RetentionDays\":7,\"Executor\":\"/opt/dtexec €\"}}");
                Contains(json, "\"RetentionDays\":7", "SetConfigPatch applied");
                Contains(json, "\"Executor\":\"/opt/dtexec €\"", "SetConfigPatch non-ASCII value");
                Contains(json, "\"Principal\":\"user:Jürgen€\"", "SetConfigPatch keeps grants");
                string now = SsisNative.GetConfig(s);
                Contains(now, "\"RetentionDays\":7", "GetConfig after SetConfigPatch");
                Contains(now, "\"Address\":\"127.0.0.1:8443\"", "GetConfig keeps listeners");
            });
            Throws("SetConfigPatch Path", SsisStatus.InvalidArgument, "Path",
                delegate { SsisNative.SetConfigPatch(s, "{\"Path\":\"/x\"}"); });
            Throws("SetConfigPatch invalid", SsisStatus.Configuration, null,
                delegate { SsisNative.SetConfigPatch(s, "{\"TopLevelFolders\":3}"); });
        }
    }

    /// <summary>NativeLoader (issue 15, defect 12): every UseLibrary call updates the handle the
    /// resolver hands out, so a module imported again after a failed ABI check can use another
    /// file; on runtimes without NativeLibrary (Mono, .NET Framework) it says so.</summary>
    private static void TestNativeLoader()
    {
        string path = Environment.GetEnvironmentVariable("SSIS_TEST_LIBRARY");
        Ok("NativeLoader", delegate
        {
            if (NativeLoader.HasNativeLibrary)
            {
                IntPtr first = NativeLoader.Load(path);
                Check(NativeLoader.UseLibrary(first), "UseLibrary registers a resolver");
                Check(NativeLoader.Library == first, "UseLibrary sets the handle");
                IntPtr second = NativeLoader.Load(path);
                Check(NativeLoader.UseLibrary(second) && NativeLoader.Library == second, "a second UseLibrary updates the handle");
                Check(SsisNative.AbiVersion() == SsisNative.ExpectedAbiVersion, "calls still resolve");
            }
            IntPtr loaded = NativeLoader.Load(path);
            Check(NativeLoader.AbiVersionOf(loaded) == SsisNative.ExpectedAbiVersion, "AbiVersionOf through the export");
            Check(NativeLoader.VersionOf(loaded) == SsisNative.Version(), "VersionOf through the export");
            try
            {
                NativeLoader.GetExport(loaded, "ssis_no_such_function");
                Check(false, "GetExport of a missing export must throw");
            }
            catch (EntryPointNotFoundException)
            {
                Check(true, "GetExport of a missing export throws EntryPointNotFound");
            }
            if (!NativeLoader.HasNativeLibrary)
            {
                Check(!NativeLoader.UseLibrary(new IntPtr(1)), "no resolver without NativeLibrary");
                Check(NativeLoader.Library == new IntPtr(1), "UseLibrary sets the handle");
                Check(!NativeLoader.UseLibrary(new IntPtr(2)) && NativeLoader.Library == new IntPtr(2), "a second UseLibrary updates the handle");
                Check(SsisNative.AbiVersion() == SsisNative.ExpectedAbiVersion, "calls still resolve");
            }
        });
    }

    /// <summary>ssis_resolve_packages: literal paths with brackets, escapes, patterns (issue 15, defect 3).</summary>
    private static void TestResolvePackages(SsisSessionHandle s, string packageFile)
    {
        Ok("ResolvePackages", delegate
        {
            SsisNative.PackageImport(s, packageFile, "\\File System\\Grüße [1]", true);
            string literal = SsisNative.ResolvePackages(s, "\\File System\\Grüße [1]", true, false);
            Contains(literal, "\"Literal\":true", "ResolvePackages literal");
            Contains(literal, "\"Items\":[{\"Name\":\"Grüße [1]\"", "ResolvePackages literal item");
            string pattern = SsisNative.ResolvePackages(s, "\\File System\\Grüße [1]", false, false);
            Contains(pattern, "\"Literal\":false", "ResolvePackages pattern");
            Contains(pattern, "\"Items\":[]", "brackets are a pattern that does not match themselves");
            string escaped = SsisNative.ResolvePackages(s, "\\File System\\Grüße `[1`]", false, false);
            Contains(escaped, "\"Literal\":true", "escaped brackets are literal");
            Contains(escaped, "\"Name\":\"Grüße [1]\"", "escaped brackets name the package");
            Contains(SsisNative.ResolvePackages(s, "\\File System\\Gr*", false, false), "\"Name\":\"Grüße [1]\"", "ResolvePackages wildcard");
        });
        Throws("ResolvePackages missing", SsisStatus.NotFound, "Nope",
            delegate { SsisNative.ResolvePackages(s, "\\File System\\Nope", true, false); });
        Throws("ResolvePackages bad pattern", SsisStatus.InvalidArgument, "not valid",
            delegate { SsisNative.ResolvePackages(s, "\\File System\\[x", false, false); });
        Throws("ResolvePackages NULL path", SsisStatus.InvalidArgument, "path",
            delegate { SsisNative.ResolvePackages(s, null, false, false); });
    }

    private static void TestSessionConfig(SsisSessionHandle s)
    {
        Ok("GetConfig/SetConfig", delegate
        {
            string json = SsisNative.GetConfig(s);
            Contains(json, "File System", "GetConfig");
            SsisNative.SetConfig(s, json);
        });
        Throws("SetConfig invalid", SsisStatus.Configuration, null, delegate { SsisNative.SetConfig(s, "{\"TopLevelFolders\": 3}"); });
        Ok("AccessGrant/AccessList/AccessRevoke", delegate
        {
            Contains(SsisNative.AccessGrant(s, "user:alice", "Connect,Read"), "\"Rights\":[\"Connect\",\"Read\"]", "AccessGrant");
            Contains(SsisNative.AccessList(s), "\"Principal\":\"user:alice\"", "AccessList");
            Contains(SsisNative.AccessRevoke(s, "user:alice", null), "\"Rights\":[]", "AccessRevoke");
            Contains(SsisNative.AccessList(s), "\"Items\":[]", "AccessList after revoke");
        });
        Throws("AccessGrant bad principal", SsisStatus.InvalidArgument, "Principal",
            delegate { SsisNative.AccessGrant(s, "alice", "Read"); });
        Throws("AccessRevoke no grant", SsisStatus.NotFound, null,
            delegate { SsisNative.AccessRevoke(s, "group:nobody", "Read"); });
    }

    private static void TestStore(SsisSessionHandle s, string work, string packageFile)
    {
        string folder = "\\File System\\" + Euro;
        string package = folder + "\\" + Euro;
        Ok("ListFolders", delegate
        {
            Contains(SsisNative.ListFolders(s, null), "\"Name\":\"File System\"", "ListFolders top");
        });
        Throws("ListFolders missing", SsisStatus.NotFound, null, delegate { SsisNative.ListFolders(s, "\\File System\\Nope"); });
        Ok("FolderCreate " + Euro, delegate
        {
            Contains(SsisNative.FolderCreate(s, folder), "\"Name\":\"" + Euro + "\"", "FolderCreate");
            Contains(SsisNative.ListFolders(s, "\\File System"), "\"Name\":\"" + Euro + "\"", "ListFolders sub");
            Contains(SsisNative.Exists(s, folder), "\"Kind\":\"Folder\"", "Exists folder");
        });
        Throws("FolderCreate again", SsisStatus.AlreadyExists, null, delegate { SsisNative.FolderCreate(s, folder); });
        Ok("PackageImport " + Euro, delegate
        {
            string entry = SsisNative.PackageImport(s, packageFile, package, false);
            Contains(entry, "\"Name\":\"" + Euro + "\"", "PackageImport name");
            Contains(entry, "\"ObjectName\":\"DotNetTest\"", "PackageImport metadata");
            SsisNative.PackageImport(s, packageFile, package, true);
            Contains(SsisNative.ListPackages(s, folder, false), "\"Name\":\"" + Euro + "\"", "ListPackages");
            Contains(SsisNative.ListPackages(s, "\\File System", true), Euro, "ListPackages recursive");
            Contains(SsisNative.PackageInfo(s, package), "\"Details\"", "PackageInfo");
            Contains(SsisNative.Exists(s, package), "\"Kind\":\"Package\"", "Exists package");
        });
        Throws("PackageImport again", SsisStatus.AlreadyExists, null,
            delegate { SsisNative.PackageImport(s, packageFile, package, false); });
        Ok("PackageCopy/Move/Export/Delete", delegate
        {
            SsisNative.PackageCopy(s, package, folder + "\\Kopie €", false);
            Contains(SsisNative.PackageMove(s, folder + "\\Kopie €", "\\File System\\Verschoben", false),
                "\"Name\":\"Verschoben\"", "PackageMove");
            Contains(SsisNative.Exists(s, folder + "\\Kopie €"), "\"Kind\":\"None\"", "moved away");
            string exported = Path.Combine(work, "exportiert €.dtsx");
            SsisNative.PackageExport(s, "\\File System\\Verschoben", exported, false);
            Check(File.ReadAllText(exported) == File.ReadAllText(packageFile), "exported file equals the imported one");
            SsisNative.PackageDelete(s, "\\File System\\Verschoben");
        });
        Throws("PackageDelete missing", SsisStatus.NotFound, null, delegate { SsisNative.PackageDelete(s, "\\File System\\Verschoben"); });
        Throws("PackageInfo missing", SsisStatus.NotFound, null, delegate { SsisNative.PackageInfo(s, "\\File System\\Nope"); });
        Ok("FolderRename", delegate
        {
            Contains(SsisNative.FolderRename(s, folder, "Zahlung €"), "\"Name\":\"Zahlung €\"", "FolderRename");
        });
        Throws("FolderDelete not empty", SsisStatus.NotEmpty, null, delegate { SsisNative.FolderDelete(s, "\\File System\\Zahlung €", false); });
        Ok("FolderDelete recursive", delegate
        {
            SsisNative.FolderDelete(s, "\\File System\\Zahlung €", true);
            Contains(SsisNative.Exists(s, "\\File System\\Zahlung €"), "\"Kind\":\"None\"", "deleted");
        });
        Check(!Directory.Exists(Path.Combine(work, "Packages/Zahlung €")), "folder gone from disk");
    }

    /// <summary>The repository's example store (a copy): folders and packages listed.</summary>
    private static void TestExamples(string examples)
    {
        Ok("examples store", delegate
        {
            using (SsisSessionHandle s = SsisNative.Connect("embedded:" + Path.Combine(examples, "MsDtsSrvr.ini.xml"), ""))
            {
                Contains(SsisNative.ListFolders(s, null), "\"Name\":\"File System\"", "examples top-level folders");
                Contains(SsisNative.ListPackages(s, "\\File System", true), "\"ObjectName\":", "examples packages with metadata");
            }
        });
    }

    private static void TestThreads(SsisSessionHandle s)
    {
        int errors = 0;
        List<Thread> threads = new List<Thread>();
        for (int t = 0; t < 4; t++)
        {
            Thread thread = new Thread(delegate()
            {
                for (int i = 0; i < 25; i++)
                {
                    try
                    {
                        if (!SsisNative.ListFolders(s, null).Contains("File System"))
                        {
                            Interlocked.Increment(ref errors);
                        }
                        SsisNative.Exists(s, "\\File System\\Nope" + i);
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref errors);
                    }
                    try
                    {
                        SsisNative.PackageInfo(s, "\\File System\\Nope");
                        Interlocked.Increment(ref errors);
                    }
                    catch (SsisException e)
                    {
                        if (e.Status != SsisStatus.NotFound || !e.ErrorJson.Contains("NotFound"))
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }
                }
            });
            threads.Add(thread);
            thread.Start();
        }
        foreach (Thread thread in threads)
        {
            thread.Join();
        }
        Check(errors == 0, "threads sharing one session: " + errors + " errors");
    }

    /// <summary>Every service function on an in-process session: Unsupported, saying why.</summary>
    private static void TestServiceFunctionsNeedAService(SsisSessionHandle embedded)
    {
        const string why = "in-process session";
        Throws("PackageRun embedded", SsisStatus.Unsupported, why, delegate { SsisNative.PackageRun(embedded, "\\File System\\Hello", null); });
        Throws("ExecutionStop embedded", SsisStatus.Unsupported, why, delegate { SsisNative.ExecutionStop(embedded, "x"); });
        Throws("ExecutionsList embedded", SsisStatus.Unsupported, why, delegate { SsisNative.ExecutionsList(embedded, null); });
        Throws("ExecutionGet embedded", SsisStatus.Unsupported, why, delegate { SsisNative.ExecutionGet(embedded, "x"); });
        Throws("ExecutionOutput embedded", SsisStatus.Unsupported, why, delegate { SsisNative.ExecutionOutput(embedded, "x", null); });
        Throws("ExecutionWait embedded", SsisStatus.Unsupported, why, delegate { SsisNative.ExecutionWait(embedded, "x", 0); });
        Throws("EventsRead embedded", SsisStatus.Unsupported, why, delegate { SsisNative.EventsRead(embedded, null); });
        Throws("ServiceInfo embedded", SsisStatus.Unsupported, "ssis service run", delegate { SsisNative.ServiceInfo(embedded); });
    }

    /// <summary>Reads an execution's whole output, chunk by chunk, until Complete.</summary>
    private static string ReadOutput(SsisSessionHandle s, string id, int maxBytes, out int chunks)
    {
        StringBuilder all = new StringBuilder();
        long offset = 0;
        chunks = 0;
        while (chunks < 100000)
        {
            string options = "{\"Offset\": " + offset + (maxBytes > 0 ? ", \"MaxBytes\": " + maxBytes : "") + "}";
            string json = SsisNative.ExecutionOutput(s, id, options);
            chunks++;
            all.Append(JsonText.TopLevelString(json, "Text"));
            if (json.Contains("\"Complete\":true"))
            {
                break;
            }
            int at = json.IndexOf("\"NextOffset\":") + "\"NextOffset\":".Length;
            int end = json.IndexOfAny(new char[] { ',', '}' }, at);
            offset = long.Parse(json.Substring(at, end - at));
        }
        return all.ToString();
    }

    /// <summary>Runs a package and waits for its end; returns the final Execution JSON.</summary>
    private static string RunAndWait(SsisSessionHandle s, string path, string options)
    {
        string started = SsisNative.PackageRun(s, path, options);
        string id = JsonText.TopLevelString(started, "ExecutionId");
        Check(id != null && id.Length == 36, "execution id of " + path + ": " + started);
        return SsisNative.ExecutionWait(s, id, 60000);
    }

    /// <summary>Executions, events and service information on a real service.</summary>
    private static void TestService(string socket, string examples)
    {
        SsisSessionHandle s = null;
        Ok("Connect service", delegate { s = SsisNative.Connect("unix:" + socket, null); });
        if (s == null)
        {
            return;
        }
        string stateDir = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(socket), "state");
        Ok("EventsReadState", delegate
        {
            Contains(SsisNative.EventsReadState(stateDir, "{\"EventId\": 257}"), "\"EventId\":257", "the start entry, read from the state directory");
        });
        Throws("EventsReadState missing", SsisStatus.NotFound, "state database", delegate { SsisNative.EventsReadState(stateDir + "-none", null); });
        Throws("EventsReadState NULL", SsisStatus.InvalidArgument, "state_dir", delegate { SsisNative.EventsReadState(null, null); });
        using (s)
        {
            const string nobody = "00000000-0000-0000-0000-000000000000";
            Ok("ServiceInfo", delegate
            {
                string info = SsisNative.ServiceInfo(s);
                Contains(info, "\"Listen\":\"unix:" + socket + "\"", "ServiceInfo Listen");
                Contains(info, "\"StopExecutingPackagesOnShutdown\":true", "ServiceInfo configuration");
                Contains(info, "\"RunningExecutions\":", "ServiceInfo running count");
            });

            // Errors: unknown ids, bad options, NULLs.
            Throws("ExecutionGet unknown", SsisStatus.NotFound, nobody, delegate { SsisNative.ExecutionGet(s, nobody); });
            Throws("ExecutionStop unknown", SsisStatus.NotFound, nobody, delegate { SsisNative.ExecutionStop(s, nobody); });
            Throws("ExecutionWait unknown", SsisStatus.NotFound, nobody, delegate { SsisNative.ExecutionWait(s, nobody, -1); });
            Throws("ExecutionOutput unknown", SsisStatus.NotFound, nobody, delegate { SsisNative.ExecutionOutput(s, nobody, null); });
            Throws("ExecutionGet NULL", SsisStatus.InvalidArgument, "execution_id", delegate { SsisNative.ExecutionGet(s, null); });
            Throws("PackageRun unknown option", SsisStatus.InvalidArgument, "unknown key 'Wait'",
                delegate { SsisNative.PackageRun(s, "\\File System\\Hello", "{\"Wait\": true}"); });
            Throws("PackageRun bad Set", SsisStatus.InvalidArgument, "Set[0]",
                delegate { SsisNative.PackageRun(s, "\\File System\\Hello", "{\"Set\": [{\"Name\": \"X\"}]}"); });
            Throws("PackageRun missing", SsisStatus.NotFound, null, delegate { SsisNative.PackageRun(s, "\\File System\\Nope", null); });
            Throws("ExecutionsList running and filter", SsisStatus.InvalidArgument, "'Status'",
                delegate { SsisNative.ExecutionsList(s, "{\"Running\": true, \"Status\": \"Failed\"}"); });
            Throws("ExecutionOutput MaxBytes 0", SsisStatus.InvalidArgument, "MaxBytes",
                delegate { SsisNative.ExecutionOutput(s, nobody, "{\"MaxBytes\": 0}"); });
            Throws("EventsRead bad level", SsisStatus.InvalidArgument, "'Level'", delegate { SsisNative.EventsRead(s, "{\"Level\": \"Loud\"}"); });
            IntPtr raw;
            int st = SsisNative.Native.ssis_execution_get(s, new byte[] { 0x61, 0xc3, 0 }, out raw);
            Check(st == (int)SsisStatus.InvalidArgument && raw == IntPtr.Zero, "raw invalid UTF-8 execution id: " + st);
            Contains(SsisNative.LastError(), "\"Target\":\"execution_id\"", "invalid UTF-8 names the parameter");

            // Hello: run, wait, output, history, events.
            Ok("PackageRun Hello", delegate
            {
                string done = RunAndWait(s, "\\File System\\Hello", null);
                Contains(done, "\"Status\":\"Succeeded\"", "Hello succeeded");
                string id = JsonText.TopLevelString(done, "ExecutionId");
                Contains(SsisNative.ExecutionGet(s, id), "\"PackageName\":\"Hello\"", "ExecutionGet");
                Contains(SsisNative.ExecutionWait(s, id, 0), "\"Status\":\"Succeeded\"", "ExecutionWait on an ended execution");
                SsisNative.ExecutionStop(s, id);
                Contains(SsisNative.ExecutionOutput(s, id, null), "DTSER_SUCCESS", "ExecutionOutput");
                int chunks;
                string whole = ReadOutput(s, id, 0, out chunks);
                int small;
                string pieces = ReadOutput(s, id, 16, out small);
                Check(chunks == 1 && small > 10 && whole == pieces && whole.Contains("Say hello"),
                    "output in 16-byte chunks (" + small + ") equals the whole (" + whole.Length + " chars)");
                Contains(SsisNative.ExecutionsList(s, null), id, "history");
                Contains(SsisNative.ExecutionsList(s, "{\"Package\": \"HELLO\", \"Status\": \"Succeeded\", \"Limit\": 500}"), id, "history filtered");
                Check(SsisNative.ExecutionsList(s, "{\"Until\": \"2000-01-01T00:00:00Z\"}") == "{\"Items\":[]}", "nothing before 2000");
                string events = SsisNative.EventsRead(s, "{\"ExecutionId\": \"" + id + "\"}");
                Contains(events, "\"EventId\":1020", "event: started");
                Contains(events, "\"EventId\":1021", "event: succeeded");
            });

            // A package file with an override the package does not have: it fails and says why.
            Ok("PackageRun file with Set", delegate
            {
                string file = Path.Combine(Path.Combine(examples, "Packages"), "Hello.dtsx");
                string done = RunAndWait(s, file, "{\"File\": true, \"Set\": [{\"Name\": \"User::Nope\", \"Value\": \"1\"}]}");
                Contains(done, "\"Status\":\"Failed\"", "unknown variable fails");
                Contains(done, "\"Store\":\"File\"", "a package file");
                int chunks;
                Contains(ReadOutput(s, JsonText.TopLevelString(done, "ExecutionId"), 0, out chunks), "User::Nope", "output names the variable");
            });

            // A long-running package: running list, wait timeout, asynchronous stop.
            Ok("Stop a long-running package", delegate
            {
                string started = SsisNative.PackageRun(s, "\\File System\\Tests\\Sleep",
                    "{\"Set\": [{\"Name\": \"Seconds\", \"Value\": \"90\"}]}");
                string id = JsonText.TopLevelString(started, "ExecutionId");
                Throws("ExecutionWait timeout", SsisStatus.Timeout, id, delegate { SsisNative.ExecutionWait(s, id, 300); });
                Contains(SsisNative.ExecutionsList(s, "{\"Running\": true}"), id, "running list");
                SsisNative.ExecutionStop(s, id);
                string stopped = SsisNative.ExecutionWait(s, id, -1);
                Contains(stopped, "\"Status\":\"Stopped\"", "stopped");
                Check(!SsisNative.ExecutionsList(s, "{\"Running\": true}").Contains(id), "no longer running");
                Contains(SsisNative.EventsRead(s, "{\"ExecutionId\": \"" + id + "\", \"Text\": \"stopping\", \"Limit\": 10}"), "Stopping execution", "stop event");
            });

            // A non-ASCII package name through the service.
            Ok("Run " + Euro, delegate
            {
                string path = "\\File System\\Tests\\" + Euro;
                SsisNative.PackageImport(s, Path.Combine(Path.Combine(examples, "Packages"), "Hello.dtsx"), path, true);
                string done = RunAndWait(s, path, "");
                Contains(done, "\"PackageName\":\"" + Euro + "\"", "non-ASCII execution");
                Contains(SsisNative.ExecutionsList(s, "{\"Package\": \"" + Euro + "\"}"), JsonText.TopLevelString(done, "ExecutionId"), "history by non-ASCII name");
            });
        }
    }
}
