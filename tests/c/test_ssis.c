/*
 * C test of libssis_service through the committed header: every exported function,
 * success and error paths (NULL arguments, invalid UTF-8, invalid booleans, missing
 * folders, invalid configuration), non-ASCII names, threads and fork().
 *
 * Usage: test_ssis <empty work directory> [<examples directory>]
 * The program writes its own configuration and store under the work directory; with an
 * examples directory (a copy of the repository's examples/) it also reads that store.
 * With $SSIS_TEST_SERVICE_SOCKET naming the socket of a running service whose store is a
 * copy of examples/ plus tests/c/fixtures/ as \File System\Tests (tests/c/run.sh starts
 * one), it also runs, waits for, lists, reads and stops packages there, reads the event log
 * and the service information.
 * Prints "N passed, M failed" and exits non-zero on any failure. tests/c/run.sh builds
 * and runs it (under valgrind and with ASan/UBSan where available).
 */
#define _POSIX_C_SOURCE 200809L

#include "ssis_service.h"
#include "ssis_service.h" /* included twice on purpose: the include guard must hold */

#include <pthread.h> /* Windows: mingw-w64's winpthreads */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#ifdef _WIN32 /* built with x86_64-w64-mingw32-gcc, run under Wine: tests/windows/run-c.sh */
#include <direct.h>
#include <windows.h>
#define mkdir(path, mode) _mkdir(path)
/* The C API takes UTF-8 paths; the C runtime's fopen takes the ANSI code page. */
static FILE *fopen_utf8(const char *path, const char *mode) {
    wchar_t wpath[4400], wmode[8];
    if (MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath, 4400) == 0 ||
        MultiByteToWideChar(CP_UTF8, 0, mode, -1, wmode, 8) == 0) {
        return NULL;
    }
    return _wfopen(wpath, wmode);
}
#define fopen(path, mode) fopen_utf8(path, mode)
#define setenv(name, value, overwrite) _putenv_s(name, value)
#else
#include <sys/wait.h>
#include <unistd.h>
#endif

static int passed = 0;
static int failed = 0;

#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (cond) {                                                                            \
            passed++;                                                                          \
        } else {                                                                               \
            failed++;                                                                          \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                               \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fputc('\n', stderr);                                                               \
        }                                                                                      \
    } while (0)

/* The calling thread's last error JSON (caller frees with ssis_string_free). */
static char *last_error(void) {
    char *json = NULL;
    ssis_status st = ssis_last_error(&json);
    if (st != SSIS_OK) {
        return NULL;
    }
    return json;
}

/*
 * Checks that `st` is `expected`; for an error, that the last error JSON contains
 * `needle` (NULL: anything). Returns 1 when both hold.
 */
static int expect(const char *what, ssis_status st, ssis_status expected, const char *needle) {
    int ok = (st == expected);
    char *err = NULL;
    if (st != SSIS_OK) {
        err = last_error();
    }
    if (ok && expected != SSIS_OK && needle != NULL) {
        ok = err != NULL && strstr(err, needle) != NULL;
    }
    CHECK(ok, "%s: got %s, expected %s (needle %s); last error: %s", what, ssis_status_name(st),
          ssis_status_name(expected), needle ? needle : "-", err ? err : "(none)");
    ssis_string_free(err);
    return ok;
}

/* Checks that the JSON `json` contains every string of the NULL-terminated list. */
static void expect_json(const char *what, const char *json, const char *needles[]) {
    size_t i;
    for (i = 0; needles[i] != NULL; i++) {
        CHECK(json != NULL && strstr(json, needles[i]) != NULL, "%s: %s lacks %s", what,
              json ? json : "(null)", needles[i]);
    }
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    long n;
    char *buf;
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static const char *CONFIG_XML =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<DtsServiceConfiguration xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
    "  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>\n"
    "  <TopLevelFolders>\n"
    "    <Folder xsi:type=\"FileSystemFolder\">\n"
    "      <Name>File System</Name>\n"
    "      <StorePath>Packages</StorePath>\n"
    "    </Folder>\n"
    "  </TopLevelFolders>\n"
    "</DtsServiceConfiguration>\n";

static const char *BAD_CONFIG_XML = "<DtsServiceConfiguration>\n"
                                    "  <TopLevelFolders>\n"
                                    "</DtsServiceConfiguration>\n";

/* A minimal SSIS 2012+ package. */
static const char *PACKAGE_XML =
    "<?xml version=\"1.0\"?>\n"
    "<DTS:Executable xmlns:DTS=\"www.microsoft.com/SqlServer/Dts\" DTS:refId=\"Package\"\n"
    "  DTS:CreationDate=\"1/2/2024 10:00:00 AM\" DTS:CreationName=\"Microsoft.Package\"\n"
    "  DTS:CreatorComputerName=\"HOST\" DTS:CreatorName=\"HOST\\\\user\"\n"
    "  DTS:DTSID=\"{5C4F0C1E-2B9A-4E4B-9B2F-1A2B3C4D5E6F}\" DTS:ExecutableType=\"Microsoft.Package\"\n"
    "  DTS:LastModifiedProductVersion=\"15.0.2000.170\" DTS:LocaleID=\"1033\"\n"
    "  DTS:ObjectName=\"CTest\" DTS:PackageType=\"5\" DTS:VersionBuild=\"3\"\n"
    "  DTS:VersionGUID=\"{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}\">\n"
    "  <DTS:Property DTS:Name=\"PackageFormatVersion\">8</DTS:Property>\n"
    "  <DTS:Variables />\n"
    "  <DTS:Executables />\n"
    "</DTS:Executable>\n";

static char work[4096];
static char config_path[4200];
static char server[4300];
static char package_file[4200];

static void test_version_and_names(void) {
    char expected[64];
    const char *v = ssis_version();
    snprintf(expected, sizeof expected, "%d.%d.%d", SSIS_VERSION_MAJOR, SSIS_VERSION_MINOR,
             SSIS_VERSION_PATCH);
    CHECK(v != NULL && strncmp(v, expected, strlen(expected)) == 0, "ssis_version %s vs %s", v,
          expected);
    CHECK(strcmp(SSIS_VERSION_STRING, expected) == 0, "SSIS_VERSION_STRING %s",
          SSIS_VERSION_STRING);
    CHECK(v[strlen(expected)] == '\0' || v[strlen(expected)] == '+', "version suffix: %s", v);
    CHECK(ssis_abi_version() == SSIS_ABI_VERSION, "abi %d vs %d", ssis_abi_version(),
          SSIS_ABI_VERSION);
    CHECK(strcmp(ssis_status_name(SSIS_OK), "SSIS_OK") == 0, "name of OK");
    CHECK(strcmp(ssis_status_name(SSIS_NOT_FOUND), "SSIS_NOT_FOUND") == 0, "name of NOT_FOUND");
    CHECK(strcmp(ssis_status_name(SSIS_INVALID_ARGUMENT), "SSIS_INVALID_ARGUMENT") == 0, "name");
    CHECK(strcmp(ssis_status_name(SSIS_PROTOCOL), "SSIS_PROTOCOL") == 0, "name of PROTOCOL");
    CHECK(SSIS_PROTOCOL == 14 && SSIS_INTERNAL == 10 && SSIS_NOT_EMPTY == 13, "codes");
    CHECK(strcmp(ssis_status_name(99), "SSIS_UNKNOWN_STATUS") == 0, "unknown code name");
    CHECK(strcmp(ssis_status_name(-1), "SSIS_UNKNOWN_STATUS") == 0, "negative code name");
}

static void test_null_handling(void) {
    char *json = (char *)"untouched";
    ssis_session *s = (ssis_session *)&json; /* sentinel: must stay untouched on failure */
    ssis_session *sentinel = s;

    ssis_string_free(NULL);
    ssis_disconnect(NULL);
    CHECK(ssis_last_error(NULL) == SSIS_INVALID_ARGUMENT, "last_error(NULL)");

    expect("connect out=NULL", ssis_connect(NULL, NULL, NULL), SSIS_INVALID_ARGUMENT,
           "\"Target\":\"out\"");
    expect("connect bad utf8 server", ssis_connect("embedded:\xff\xfe", NULL, &s),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"server\"");
    CHECK(s == sentinel, "out written on failure");
    expect("connect bad options", ssis_connect(server, "{\"Nope\":1}", &s), SSIS_INVALID_ARGUMENT,
           "\"Target\":\"options_json\"");
    expect("connect options not JSON", ssis_connect(server, "{", &s), SSIS_INVALID_ARGUMENT,
           "options_json");
    expect("connect options not object", ssis_connect(server, "[1]", &s), SSIS_INVALID_ARGUMENT,
           "options_json");
    expect("connect remote server", ssis_connect("http://example:1", NULL, &s), SSIS_CONNECTION,
           "embedded:");
    CHECK(s == sentinel, "out written on failure");

    expect("list_folders session NULL", ssis_list_folders(NULL, NULL, &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"session\"");
    CHECK(strcmp(json, "untouched") == 0, "out_json written on failure");
    expect("config_read out NULL", ssis_config_read(NULL, NULL), SSIS_INVALID_ARGUMENT,
           "\"Target\":\"out_json\"");
    expect("config_read bad utf8", ssis_config_read("a\xc3(.xml", &json), SSIS_INVALID_ARGUMENT,
           "not valid UTF-8");
    expect("config_write path NULL", ssis_config_write(NULL, "{}"), SSIS_INVALID_ARGUMENT,
           "\"Target\":\"path\"");
    expect("config_write json NULL", ssis_config_write(config_path, NULL), SSIS_INVALID_ARGUMENT,
           "\"Target\":\"config_json\"");
    expect("config_validate out NULL", ssis_config_validate(NULL, NULL, NULL),
           SSIS_INVALID_ARGUMENT, "out_json");
    expect("get_config NULL", ssis_get_config(NULL, &json), SSIS_INVALID_ARGUMENT, "session");
    expect("set_config NULL", ssis_set_config(NULL, "{}"), SSIS_INVALID_ARGUMENT, "session");
    CHECK(strcmp(json, "untouched") == 0, "out_json written on failure");
}

static void test_config(void) {
    char *json = NULL;
    char *copy_json = NULL;
    char bad[4300], copy[4300], missing[4300];
    const char *folder_needles[] = {"\"TopLevelFolders\"", "\"File System\"",
                                    "\"StorePath\":\"Packages\"", NULL};
    const char *invalid_needles[] = {"\"Valid\":false", "bad.xml", "\"Line\":3", NULL};
    const char *valid_needles[] = {"\"Valid\":true", "\"Errors\":[]", NULL};

    snprintf(bad, sizeof bad, "%s/bad.xml", work);
    snprintf(copy, sizeof copy, "%s/copy.ini.xml", work);
    snprintf(missing, sizeof missing, "%s/missing.xml", work);
    write_file(bad, BAD_CONFIG_XML);

    if (expect("config_read", ssis_config_read(config_path, &json), SSIS_OK, NULL)) {
        expect_json("config_read", json, folder_needles);
        if (expect("config_write copy", ssis_config_write(copy, json), SSIS_OK, NULL)) {
            if (expect("config_read copy", ssis_config_read(copy, &copy_json), SSIS_OK, NULL)) {
                expect_json("config_read copy", copy_json, folder_needles);
                ssis_string_free(copy_json);
            }
        }
        ssis_string_free(json);
        json = NULL;
    }
    /* NULL path: the default configuration ($SSIS_SERVICE_CONFIG, set by main). */
    if (expect("config_read default", ssis_config_read(NULL, &json), SSIS_OK, NULL)) {
        expect_json("config_read default", json, folder_needles);
        ssis_string_free(json);
        json = NULL;
    }
    expect("config_read bad", ssis_config_read(bad, &json), SSIS_CONFIGURATION, "\"Line\":3");
    expect("config_read missing", ssis_config_read(missing, &json), SSIS_NOT_FOUND, "missing.xml");
    CHECK(json == NULL, "out_json written on failure");

    if (expect("config_validate bad file", ssis_config_validate(bad, NULL, &json), SSIS_OK,
               NULL)) {
        expect_json("validate bad", json, invalid_needles);
        ssis_string_free(json);
    }
    if (expect("config_validate good file", ssis_config_validate(config_path, NULL, &json),
               SSIS_OK, NULL)) {
        expect_json("validate good", json, valid_needles);
        ssis_string_free(json);
    }
    /* Neither: the default configuration ($SSIS_SERVICE_CONFIG, set by main). */
    if (expect("config_validate default", ssis_config_validate(NULL, NULL, &json), SSIS_OK,
               NULL)) {
        expect_json("validate default", json, valid_needles);
        ssis_string_free(json);
    }
    if (expect("config_validate bad json", ssis_config_validate(NULL, "{\"TopLevelFolders\":7}",
                                                                &json),
               SSIS_OK, NULL)) {
        const char *needles[] = {"\"Valid\":false", NULL};
        expect_json("validate bad json", json, needles);
        ssis_string_free(json);
    }
    {
        char target[4300];
        struct stat st;
        snprintf(target, sizeof target, "%s/never-written.xml", work);
        CHECK(ssis_config_write(target, "{\"StopExecutingPackagesOnShutdown\": \"yes\"}") !=
                  SSIS_OK,
              "config_write of an invalid configuration fails");
        CHECK(stat(target, &st) != 0, "invalid configuration not written");
    }
}

/* Configuration patches (JSON merge patch): only the named settings change; grants,
 * listeners, scalar extensions and unknown elements of the file are kept. */
static const char *CONFIG_WITH_EXTENSIONS_XML =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<DtsServiceConfiguration xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
    "  <StopExecutingPackagesOnShutdown>true</StopExecutingPackagesOnShutdown>\n"
    "  <TopLevelFolders>\n"
    "    <Folder xsi:type=\"FileSystemFolder\">\n"
    "      <Name>File System</Name>\n"
    "      <StorePath>Packages</StorePath>\n"
    "    </Folder>\n"
    "  </TopLevelFolders>\n"
    "  <SsisService>\n"
    "    <GracePeriodSeconds>5</GracePeriodSeconds>\n"
    "    <RetentionDays>30</RetentionDays>\n"
    "    <Listen Address=\"127.0.0.1:8443\" Certificate=\"c.pem\" Key=\"k.pem\" />\n"
    "    <Grants>\n"
    "      <Grant Principal=\"user:J\xc3\xbcrgen\" Rights=\"Connect,Read\" />\n"
    "    </Grants>\n"
    "    <Future Keep=\"1\" />\n"
    "  </SsisService>\n"
    "</DtsServiceConfiguration>\n";

static void test_config_patch(void) {
    char *json = (char *)"untouched";
    char *text = NULL;
    char patched[4300], packages[4300], server_name[4400];
    ssis_session *s = NULL;
    const char *kept[] = {"\"GracePeriodSeconds\":5", "\"Address\":\"127.0.0.1:8443\"",
                          "\"Principal\":\"user:J\xc3\xbcrgen\"", NULL};

    snprintf(patched, sizeof patched, "%s/patch/MsDtsSrvr.ini.xml", work);
    snprintf(packages, sizeof packages, "%s/patch", work);
    mkdir(packages, 0755);
    snprintf(packages, sizeof packages, "%s/patch/Packages", work);
    mkdir(packages, 0755);
    write_file(patched, CONFIG_WITH_EXTENSIONS_XML);

    expect("config_patch path NULL", ssis_config_patch(NULL, "{}", &json), SSIS_INVALID_ARGUMENT,
           "\"Target\":\"path\"");
    expect("config_patch patch NULL", ssis_config_patch(patched, NULL, &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"patch_json\"");
    expect("config_patch out NULL", ssis_config_patch(patched, "{}", NULL), SSIS_INVALID_ARGUMENT,
           "\"Target\":\"out_json\"");
    expect("config_patch not an object", ssis_config_patch(patched, "[1]", &json),
           SSIS_INVALID_ARGUMENT, "JSON object");
    expect("config_patch bad utf8", ssis_config_patch(patched, "{\"a\":\"\xff\"}", &json),
           SSIS_INVALID_ARGUMENT, "UTF-8");
    expect("config_patch invalid result",
           ssis_config_patch(patched, "{\"Extensions\":{\"Grants\":7}}", &json),
           SSIS_CONFIGURATION, NULL);
    expect("set_config_patch NULL", ssis_set_config_patch(NULL, "{}", &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"session\"");
    CHECK(strcmp(json, "untouched") == 0, "out_json written on failure");
    text = read_file(patched);
    CHECK(text != NULL && strcmp(text, CONFIG_WITH_EXTENSIONS_XML) == 0,
          "failed patches wrote nothing");
    free(text);

    json = NULL;
    if (expect("config_patch",
               ssis_config_patch(patched, "{\"StopExecutingPackagesOnShutdown\":false}", &json),
               SSIS_OK, NULL)) {
        const char *needles[] = {"\"StopExecutingPackagesOnShutdown\":false", NULL};
        expect_json("config_patch", json, needles);
        expect_json("config_patch keeps", json, kept);
        ssis_string_free(json);
        json = NULL;
    }
    text = read_file(patched);
    CHECK(text != NULL && strstr(text, "<Future Keep=\"1\" />") != NULL &&
              strstr(text, "user:J\xc3\xbcrgen") != NULL,
          "patched file keeps unknown elements and grants: %s", text ? text : "(null)");
    free(text);

    snprintf(server_name, sizeof server_name, "embedded:%s", patched);
    if (expect("connect patch config", ssis_connect(server_name, NULL, &s), SSIS_OK, NULL)) {
        json = (char *)"untouched";
        expect("set_config_patch patch NULL", ssis_set_config_patch(s, NULL, &json),
               SSIS_INVALID_ARGUMENT, "\"Target\":\"patch_json\"");
        expect("set_config_patch out NULL", ssis_set_config_patch(s, "{}", NULL),
               SSIS_INVALID_ARGUMENT, "\"Target\":\"out_json\"");
        expect("set_config_patch names Path", ssis_set_config_patch(s, "{\"Path\":\"/x\"}", &json),
               SSIS_INVALID_ARGUMENT, "Path");
        CHECK(strcmp(json, "untouched") == 0, "out_json written on failure");
        json = NULL;
        if (expect("set_config_patch",
                   ssis_set_config_patch(s, "{\"Extensions\":{\"RetentionDays\":7}}", &json),
                   SSIS_OK, NULL)) {
            const char *needles[] = {"\"RetentionDays\":7", NULL};
            expect_json("set_config_patch", json, needles);
            expect_json("set_config_patch keeps", json, kept);
            ssis_string_free(json);
            json = NULL;
        }
        if (expect("get_config after patch", ssis_get_config(s, &json), SSIS_OK, NULL)) {
            const char *needles[] = {"\"RetentionDays\":7", "\"StopExecutingPackagesOnShutdown\":false",
                                     NULL};
            expect_json("get_config after patch", json, needles);
            expect_json("get_config after patch keeps", json, kept);
            ssis_string_free(json);
        }
        ssis_disconnect(s);
    }
}

/* Lists folders of `path` and checks the names in `needles`. */
static void expect_folders(ssis_session *s, const char *path, const char *needles[]) {
    char *json = NULL;
    if (expect("list_folders", ssis_list_folders(s, path, &json), SSIS_OK, NULL)) {
        expect_json(path ? path : "(top)", json, needles);
        ssis_string_free(json);
    }
}

/* ssis_resolve_packages: literal paths with brackets, escapes, patterns, errors. */
static void test_resolve_packages(ssis_session *s) {
    const char *odd = "\\File System\\Gr\xc3\xbc\xc3\x9f" "e [1]";
    char *json = (char *)"untouched";
    expect("resolve session NULL", ssis_resolve_packages(NULL, odd, 1, 0, &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"session\"");
    expect("resolve path NULL", ssis_resolve_packages(s, NULL, 1, 0, &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"path\"");
    expect("resolve literal 2", ssis_resolve_packages(s, odd, 2, 0, &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"literal\"");
    expect("resolve recursive -1", ssis_resolve_packages(s, odd, 0, -1, &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"recursive\"");
    expect("resolve out NULL", ssis_resolve_packages(s, odd, 1, 0, NULL), SSIS_INVALID_ARGUMENT,
           "\"Target\":\"out_json\"");
    expect("resolve bad utf8", ssis_resolve_packages(s, "\\File System\\\xff", 1, 0, &json),
           SSIS_INVALID_ARGUMENT, "UTF-8");
    expect("resolve missing", ssis_resolve_packages(s, "\\File System\\Nope [2]", 1, 0, &json),
           SSIS_NOT_FOUND, "Nope [2]");
    expect("resolve bad pattern", ssis_resolve_packages(s, "\\File System\\[x", 0, 0, &json),
           SSIS_INVALID_ARGUMENT, "not valid");
    CHECK(strcmp(json, "untouched") == 0, "out_json written on failure");

    json = NULL;
    if (!expect("import odd", ssis_package_import(s, package_file, odd, 1, &json), SSIS_OK, NULL)) {
        return;
    }
    ssis_string_free(json);
    json = NULL;
    if (expect("resolve literal", ssis_resolve_packages(s, odd, 1, 0, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Literal\":true", "\"Items\":[{\"Name\":\"Gr\xc3\xbc\xc3\x9f" "e [1]\"",
                                 NULL};
        expect_json("resolve literal", json, needles);
        ssis_string_free(json);
        json = NULL;
    }
    if (expect("resolve pattern", ssis_resolve_packages(s, odd, 0, 0, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Literal\":false", "\"Items\":[]", NULL};
        expect_json("resolve pattern", json, needles);
        ssis_string_free(json);
        json = NULL;
    }
    if (expect("resolve escaped", ssis_resolve_packages(s, "\\File System\\Gr\xc3\xbc\xc3\x9f" "e `[1`]", 0, 0, &json),
               SSIS_OK, NULL)) {
        const char *needles[] = {"\"Literal\":true", "\"Name\":\"Gr\xc3\xbc\xc3\x9f" "e [1]\"", NULL};
        expect_json("resolve escaped", json, needles);
        ssis_string_free(json);
        json = NULL;
    }
    if (expect("resolve wildcard", ssis_resolve_packages(s, "\\*\\GR*", 0, 1, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Literal\":false", "\"Name\":\"Gr\xc3\xbc\xc3\x9f" "e [1]\"", NULL};
        expect_json("resolve wildcard", json, needles);
        ssis_string_free(json);
        json = NULL;
    }
    expect("delete odd", ssis_package_delete(s, odd), SSIS_OK, NULL);
}

static void test_store(ssis_session *s) {
    const char *euro = "\\File System\\Überweisung €";
    const char *pkg = "\\File System\\Überweisung €\\Überweisung €";
    char *json = NULL;
    char exported[4300];
    struct stat st;

    {
        const char *top[] = {"\"Items\":[", "\"Name\":\"File System\"",
                             "\"FolderType\":\"FileSystemFolder\"", NULL};
        expect_folders(s, NULL, top);
        expect_folders(s, "", top);
        expect_folders(s, "\\", top);
    }
    expect("list missing folder", ssis_list_folders(s, "\\File System\\Nope", &json),
           SSIS_NOT_FOUND, "Nope");
    expect("list bad utf8", ssis_list_folders(s, "\\File System\\\xc0\xaf", &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"path\"");
    expect("list_packages folder NULL", ssis_list_packages(s, NULL, 0, &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"folder\"");
    expect("list_packages recursive 2", ssis_list_packages(s, "\\File System", 2, &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"recursive\"");
    expect("list_packages missing", ssis_list_packages(s, "\\File System\\Nope", 0, &json),
           SSIS_NOT_FOUND, NULL);
    CHECK(json == NULL, "out_json written on failure");

    /* Folders with non-ASCII names. */
    if (expect("folder_create", ssis_folder_create(s, euro, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Name\":\"Überweisung €\"", "\"FolderType\":\"Folder\"", NULL};
        expect_json("folder_create", json, needles);
        ssis_string_free(json);
    }
    expect("folder_create again", ssis_folder_create(s, euro, &json), SSIS_ALREADY_EXISTS, NULL);
    expect("folder_create no parent", ssis_folder_create(s, "\\File System\\A\\B", &json),
           SSIS_NOT_FOUND, NULL);
    expect("folder_create out NULL", ssis_folder_create(s, "\\File System\\X", NULL),
           SSIS_INVALID_ARGUMENT, "out_json");
    {
        const char *needles[] = {"\"Name\":\"Überweisung €\"", NULL};
        expect_folders(s, "\\File System", needles);
    }
    if (expect("exists folder", ssis_exists(s, euro, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Kind\":\"Folder\"", "\"Folder\":true", "\"Package\":false", NULL};
        expect_json("exists folder", json, needles);
        ssis_string_free(json);
    }
    if (expect("exists nothing", ssis_exists(s, "\\File System\\Nope", &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Kind\":\"None\"", "\"Folder\":false", "\"Package\":false", NULL};
        expect_json("exists nothing", json, needles);
        ssis_string_free(json);
    }
    expect("exists path NULL", ssis_exists(s, NULL, &json), SSIS_INVALID_ARGUMENT, "path");

    /* Packages. */
    if (expect("package_import", ssis_package_import(s, package_file, pkg, 0, &json), SSIS_OK,
               NULL)) {
        const char *needles[] = {"\"Name\":\"Überweisung €\"", "\"ObjectName\":\"CTest\"", NULL};
        expect_json("package_import", json, needles);
        ssis_string_free(json);
    }
    expect("package_import again", ssis_package_import(s, package_file, pkg, 0, &json),
           SSIS_ALREADY_EXISTS, "already exists");
    if (expect("package_import replace", ssis_package_import(s, package_file, pkg, 1, &json),
               SSIS_OK, NULL)) {
        ssis_string_free(json);
    }
    expect("package_import replace 7", ssis_package_import(s, package_file, pkg, 7, &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"replace\"");
    expect("package_import missing file",
           ssis_package_import(s, "/nonexistent/x.dtsx", "\\File System\\X", 0, &json),
           SSIS_NOT_FOUND, NULL);
    expect("package_import file NULL", ssis_package_import(s, NULL, pkg, 0, &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"file\"");
    if (expect("package_info", ssis_package_info(s, pkg, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Name\":\"Überweisung €\"", "\"Details\"", NULL};
        expect_json("package_info", json, needles);
        ssis_string_free(json);
    }
    if (expect("exists package", ssis_exists(s, pkg, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Kind\":\"Package\"", "\"Package\":true", NULL};
        expect_json("exists package", json, needles);
        ssis_string_free(json);
    }
    expect("package_info missing", ssis_package_info(s, "\\File System\\Nope", &json),
           SSIS_NOT_FOUND, NULL);
    if (expect("list_packages", ssis_list_packages(s, euro, 0, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Items\":[", "\"Name\":\"Überweisung €\"", NULL};
        expect_json("list_packages", json, needles);
        ssis_string_free(json);
    }
    if (expect("list_packages recursive", ssis_list_packages(s, "\\File System", 1, &json),
               SSIS_OK, NULL)) {
        const char *needles[] = {"\"Name\":\"Überweisung €\"", NULL};
        expect_json("list_packages recursive", json, needles);
        ssis_string_free(json);
    }
    if (expect("package_copy",
               ssis_package_copy(s, pkg, "\\File System\\Überweisung €\\Kopie", 0, &json), SSIS_OK,
               NULL)) {
        ssis_string_free(json);
    }
    expect("package_copy over", ssis_package_copy(s, pkg, "\\File System\\Überweisung €\\Kopie", 0,
                                                  &json),
           SSIS_ALREADY_EXISTS, NULL);
    expect("package_copy missing",
           ssis_package_copy(s, "\\File System\\Nope", "\\File System\\N2", 0, &json),
           SSIS_NOT_FOUND, NULL);
    if (expect("package_move",
               ssis_package_move(s, "\\File System\\Überweisung €\\Kopie", "\\File System\\Moved",
                                 0, &json),
               SSIS_OK, NULL)) {
        const char *needles[] = {"\"Name\":\"Moved\"", NULL};
        expect_json("package_move", json, needles);
        ssis_string_free(json);
    }
    if (expect("exists moved away", ssis_exists(s, "\\File System\\Überweisung €\\Kopie", &json),
               SSIS_OK, NULL)) {
        const char *needles[] = {"\"Kind\":\"None\"", "\"Folder\":false", "\"Package\":false", NULL};
        expect_json("exists moved away", json, needles);
        ssis_string_free(json);
    }
    snprintf(exported, sizeof exported, "%s/exported €.dtsx", work);
    if (expect("package_export", ssis_package_export(s, "\\File System\\Moved", exported, 0, &json),
               SSIS_OK, NULL)) {
        const char *needles[] = {"\"File\":", "exported €.dtsx", "\"Size\":", NULL};
        expect_json("package_export", json, needles);
        char *a = read_file(exported);
        char *b = read_file(package_file);
        CHECK(a != NULL && b != NULL && strcmp(a, b) == 0, "exported file equals imported one");
        free(a);
        free(b);
        ssis_string_free(json);
    }
    expect("package_export again", ssis_package_export(s, "\\File System\\Moved", exported, 0,
                                                       &json),
           SSIS_ALREADY_EXISTS, NULL);
    expect("package_delete", ssis_package_delete(s, "\\File System\\Moved"), SSIS_OK, NULL);
    expect("package_delete again", ssis_package_delete(s, "\\File System\\Moved"), SSIS_NOT_FOUND,
           "Moved");
    expect("package_delete NULL", ssis_package_delete(s, NULL), SSIS_INVALID_ARGUMENT, "path");

    /* Rename and delete folders. */
    if (expect("folder_rename", ssis_folder_rename(s, euro, "Zahlung €", &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Name\":\"Zahlung €\"", NULL};
        expect_json("folder_rename", json, needles);
        ssis_string_free(json);
    }
    expect("folder_rename missing", ssis_folder_rename(s, euro, "Other", &json), SSIS_NOT_FOUND,
           NULL);
    expect("folder_rename bad name",
           ssis_folder_rename(s, "\\File System\\Zahlung €", "a\\b", &json),
           SSIS_INVALID_ARGUMENT, NULL);
    expect("folder_rename new_name NULL",
           ssis_folder_rename(s, "\\File System\\Zahlung €", NULL, &json), SSIS_INVALID_ARGUMENT,
           "new_name");
    expect("folder_delete not empty", ssis_folder_delete(s, "\\File System\\Zahlung €", 0),
           SSIS_NOT_EMPTY, NULL);
    expect("folder_delete recursive=-1", ssis_folder_delete(s, "\\File System\\Zahlung €", -1),
           SSIS_INVALID_ARGUMENT, "recursive");
    expect("folder_delete recursive", ssis_folder_delete(s, "\\File System\\Zahlung €", 1), SSIS_OK,
           NULL);
    expect("folder_delete missing", ssis_folder_delete(s, "\\File System\\Zahlung €", 0),
           SSIS_NOT_FOUND, NULL);
    {
        char dir[4300];
        snprintf(dir, sizeof dir, "%s/Packages/Zahlung €", work);
        CHECK(stat(dir, &st) != 0, "folder gone from disk");
    }
}

static void test_session_config(ssis_session *s) {
    char *json = NULL;
    if (expect("get_config", ssis_get_config(s, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"File System\"", NULL};
        expect_json("get_config", json, needles);
        expect("set_config same", ssis_set_config(s, json), SSIS_OK, NULL);
        ssis_string_free(json);
    }
    expect("set_config invalid", ssis_set_config(s, "{\"TopLevelFolders\": 3}"), SSIS_CONFIGURATION,
           NULL);
    expect("set_config not json", ssis_set_config(s, "<xml/>"), SSIS_CONFIGURATION, "\"Line\":1");
    expect("set_config NULL", ssis_set_config(s, NULL), SSIS_INVALID_ARGUMENT, "config_json");
}

/* Grants on an embedded session: written to its configuration file. */
static void test_access(ssis_session *s) {
    char *json = NULL;
    if (expect("access_grant", ssis_access_grant(s, "user:alice", "Connect,Read", &json), SSIS_OK,
               NULL)) {
        const char *needles[] = {"\"Principal\":\"user:alice\"", "\"Rights\":[\"Connect\",\"Read\"]",
                                 NULL};
        expect_json("access_grant", json, needles);
        ssis_string_free(json);
    }
    if (expect("access_list", ssis_access_list(s, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Items\":[{\"Principal\":\"user:alice\"", NULL};
        expect_json("access_list", json, needles);
        ssis_string_free(json);
    }
    if (expect("access_revoke", ssis_access_revoke(s, "user:alice", "Read", &json), SSIS_OK,
               NULL)) {
        const char *needles[] = {"\"Rights\":[\"Connect\"]", NULL};
        expect_json("access_revoke", json, needles);
        ssis_string_free(json);
    }
    if (expect("access_revoke all", ssis_access_revoke(s, "user:alice", NULL, &json), SSIS_OK,
               NULL)) {
        ssis_string_free(json);
    }
    json = NULL;
    expect("access_grant bad principal", ssis_access_grant(s, "alice", "Read", &json),
           SSIS_INVALID_ARGUMENT, "Principal");
    expect("access_grant bad right", ssis_access_grant(s, "user:alice", "Fly", &json),
           SSIS_INVALID_ARGUMENT, "Fly");
    expect("access_revoke no grant", ssis_access_revoke(s, "group:nobody", NULL, &json),
           SSIS_NOT_FOUND, "group:nobody");
    expect("access_list NULL", ssis_access_list(NULL, &json), SSIS_INVALID_ARGUMENT, "session");
    CHECK(json == NULL, "out_json written on failure");
}

static void test_last_error(ssis_session *s) {
    char *json = NULL;
    char *err;
    ssis_list_folders(s, "\\File System\\Nope", &json);
    err = last_error();
    CHECK(err != NULL && strstr(err, "\"Kind\":\"NotFound\"") && strstr(err, "\"Message\""),
          "last error names kind and message: %s", err ? err : "(null)");
    ssis_string_free(err);
    err = last_error(); /* reading does not clear */
    CHECK(err != NULL && strstr(err, "NotFound"), "last error read twice");
    ssis_string_free(err);
    if (ssis_exists(s, "\\File System", &json) == SSIS_OK) {
        ssis_string_free(json);
    }
    err = last_error();
    CHECK(err != NULL && strcmp(err, "null") == 0, "success clears last error: %s",
          err ? err : "(null)");
    ssis_string_free(err);
}

/* Threads: each shares the session, checks results and its own last error. */
struct worker {
    ssis_session *session;
    int index;
    int errors;
};

static void *worker_main(void *arg) {
    struct worker *w = arg;
    int i;
    for (i = 0; i < 40; i++) {
        char *json = NULL;
        char *err;
        if (ssis_list_folders(w->session, NULL, &json) != SSIS_OK ||
            strstr(json, "File System") == NULL) {
            w->errors++;
        }
        ssis_string_free(json);
        json = NULL;
        /* A per-thread error, then its last error must be this thread's. */
        if (ssis_exists(w->session, NULL, &json) != SSIS_INVALID_ARGUMENT) {
            w->errors++;
        }
        err = last_error();
        if (err == NULL || strstr(err, "\"Target\":\"path\"") == NULL) {
            w->errors++;
        }
        ssis_string_free(err);
        if (ssis_exists(w->session, "\\File System", &json) != SSIS_OK) {
            w->errors++;
        }
        ssis_string_free(json);
    }
    return NULL;
}

static void test_threads(ssis_session *s) {
    pthread_t threads[4];
    struct worker workers[4];
    int i;
    for (i = 0; i < 4; i++) {
        workers[i].session = s;
        workers[i].index = i;
        workers[i].errors = 0;
        pthread_create(&threads[i], NULL, worker_main, &workers[i]);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK(workers[i].errors == 0, "thread %d had %d errors", i, workers[i].errors);
    }
}

#ifndef _WIN32 /* no fork() on Windows */
/*
 * After fork(), the child must get a clear error, not a hang. The child reports through a
 * pipe, not its exit status: under valgrind the child's exit status is valgrind's, and the
 * child does "leak" the runtime's blocks (their owner threads do not exist after fork).
 */
static void test_fork(ssis_session *s) {
    pid_t pid;
    int fds[2];
    int status = 0;
    char verdict = '?';
    if (pipe(fds) != 0) {
        CHECK(0, "pipe failed");
        return;
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        char *json = NULL;
        char *err;
        ssis_status st = ssis_list_folders(s, NULL, &json);
        char answer;
        err = last_error();
        answer = (st == SSIS_UNSUPPORTED && err != NULL && strstr(err, "fork") != NULL) ? 'Y' : 'N';
        if (write(fds[1], &answer, 1) != 1) {
            _exit(3);
        }
        _exit(0);
    }
    close(fds[1]);
    if (pid > 0 && read(fds[0], &verdict, 1) != 1) {
        verdict = '-';
    }
    close(fds[0]);
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "fork/wait");
    CHECK(verdict == 'Y', "forked child got SSIS_UNSUPPORTED naming fork() (verdict %c)", verdict);
}
#endif

static void test_examples(const char *examples) {
    char ini[4300], srv[4400];
    ssis_session *s = NULL;
    char *json = NULL;
    snprintf(ini, sizeof ini, "%s/MsDtsSrvr.ini.xml", examples);
    snprintf(srv, sizeof srv, "embedded:%s", ini);
    if (expect("connect examples", ssis_connect(srv, "", &s), SSIS_OK, NULL)) {
        if (expect("list examples", ssis_list_folders(s, NULL, &json), SSIS_OK, NULL)) {
            const char *needles[] = {"\"Items\":[", "File System", NULL};
            expect_json("examples", json, needles);
            ssis_string_free(json);
        }
        if (expect("list example packages", ssis_list_packages(s, "\\File System", 1, &json),
                   SSIS_OK, NULL)) {
            const char *needles[] = {"\"Items\":[{", NULL};
            expect_json("example packages", json, needles);
            ssis_string_free(json);
        }
        ssis_disconnect(s);
    }
}

/* ---- Executions, events and service information (a live service) ---- */

/* Copies the string value of the first `"key":"..."` in `json` (no escapes) into `buf`. */
static int json_string(const char *json, const char *key, char *buf, size_t size) {
    char pattern[128];
    const char *start, *end;
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    start = json ? strstr(json, pattern) : NULL;
    if (start == NULL) {
        buf[0] = '\0';
        return 0;
    }
    start += strlen(pattern);
    end = strchr(start, '"');
    if (end == NULL || (size_t)(end - start) >= size) {
        buf[0] = '\0';
        return 0;
    }
    memcpy(buf, start, (size_t)(end - start));
    buf[end - start] = '\0';
    return 1;
}

/* How many times `needle` occurs in `text`. */
static int count_of(const char *text, const char *needle) {
    int n = 0;
    const char *at = text;
    while (at != NULL && (at = strstr(at, needle)) != NULL) {
        n++;
        at += strlen(needle);
    }
    return n;
}

/* Reads an execution's whole output in chunks of `max_bytes` (0: default); caller frees. */
static char *read_output(ssis_session *s, const char *id, int max_bytes, int *chunks) {
    size_t len = 0;
    long offset = 0;
    char *all = calloc(1, 1);
    *chunks = 0;
    while (all != NULL && *chunks < 100000) {
        char options[128], text_key[] = "\"Text\":\"";
        char *json = NULL;
        const char *next, *text;
        if (max_bytes > 0) {
            snprintf(options, sizeof options, "{\"Offset\": %ld, \"MaxBytes\": %d}", offset,
                     max_bytes);
        } else {
            snprintf(options, sizeof options, "{\"Offset\": %ld}", offset);
        }
        if (!expect("execution_output chunk", ssis_execution_output(s, id, options, &json), SSIS_OK,
                    NULL)) {
            break;
        }
        (*chunks)++;
        /* Keep the raw JSON text of each chunk: enough to look for needles. */
        text = strstr(json, text_key);
        if (text != NULL) {
            size_t n = strlen(text);
            char *grown = realloc(all, len + n + 1);
            if (grown == NULL) {
                ssis_string_free(json);
                break;
            }
            all = grown;
            memcpy(all + len, text, n + 1);
            len += n;
        }
        next = strstr(json, "\"NextOffset\":");
        if (strstr(json, "\"Complete\":true") != NULL || next == NULL) {
            ssis_string_free(json);
            break;
        }
        offset = strtol(next + strlen("\"NextOffset\":"), NULL, 10);
        ssis_string_free(json);
    }
    return all;
}

/* Every service function on an in-process session: SSIS_UNSUPPORTED, saying why. */
static void test_service_functions_need_a_service(ssis_session *embedded) {
    char *json = (char *)"untouched";
    const char *why = "in-process session";
    expect("package_run embedded", ssis_package_run(embedded, "\\File System\\Hello", NULL, &json),
           SSIS_UNSUPPORTED, why);
    expect("execution_stop embedded", ssis_execution_stop(embedded, "x"), SSIS_UNSUPPORTED, why);
    expect("executions_list embedded", ssis_executions_list(embedded, NULL, &json),
           SSIS_UNSUPPORTED, why);
    expect("execution_get embedded", ssis_execution_get(embedded, "x", &json), SSIS_UNSUPPORTED,
           why);
    expect("execution_output embedded", ssis_execution_output(embedded, "x", NULL, &json),
           SSIS_UNSUPPORTED, why);
    expect("execution_wait embedded", ssis_execution_wait(embedded, "x", 0, &json),
           SSIS_UNSUPPORTED, why);
    expect("events_read embedded", ssis_events_read(embedded, NULL, &json), SSIS_UNSUPPORTED, why);
    expect("service_info embedded", ssis_service_info(embedded, &json), SSIS_UNSUPPORTED,
           "ssis service run");
    CHECK(strcmp(json, "untouched") == 0, "out_json written on failure");
    /* Argument errors come first, even on an in-process session. */
    expect("package_run bad options embedded",
           ssis_package_run(embedded, "\\File System\\Hello", "{\"Wait\": true}", &json),
           SSIS_INVALID_ARGUMENT, "'Wait'");
}

/* NULLs, bad UTF-8, bad JSON options, unknown ids: on a service session. */
static void test_execution_errors(ssis_session *s) {
    char *json = (char *)"untouched";
    const char *nobody = "00000000-0000-0000-0000-000000000000";

    expect("package_run session NULL", ssis_package_run(NULL, "\\File System\\Hello", NULL, &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"session\"");
    expect("package_run path NULL", ssis_package_run(s, NULL, NULL, &json), SSIS_INVALID_ARGUMENT,
           "\"Target\":\"path\"");
    expect("package_run out NULL", ssis_package_run(s, "\\File System\\Hello", NULL, NULL),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"out_json\"");
    expect("package_run bad utf8 path", ssis_package_run(s, "\\File System\\\xe2\x82", NULL, &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"path\"");
    expect("package_run bad utf8 options",
           ssis_package_run(s, "\\File System\\Hello", "{\"Set\":\"\xff\"}", &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"options_json\"");
    expect("package_run options not JSON", ssis_package_run(s, "\\File System\\Hello", "{", &json),
           SSIS_INVALID_ARGUMENT, "not valid JSON");
    expect("package_run options not object",
           ssis_package_run(s, "\\File System\\Hello", "[]", &json), SSIS_INVALID_ARGUMENT,
           "JSON object");
    expect("package_run unknown key",
           ssis_package_run(s, "\\File System\\Hello", "{\"Sett\": []}", &json),
           SSIS_INVALID_ARGUMENT, "unknown key 'Sett'");
    expect("package_run File not bool",
           ssis_package_run(s, "\\File System\\Hello", "{\"File\": 1}", &json),
           SSIS_INVALID_ARGUMENT, "'File'");
    expect("package_run Set not array",
           ssis_package_run(s, "\\File System\\Hello", "{\"Set\": {\"X\": \"1\"}}", &json),
           SSIS_INVALID_ARGUMENT, "'Set' must be an array");
    expect("package_run Set item without Value",
           ssis_package_run(s, "\\File System\\Hello", "{\"Set\": [{\"Name\": \"X\"}]}", &json),
           SSIS_INVALID_ARGUMENT, "Set[0]");
    expect("package_run missing package",
           ssis_package_run(s, "\\File System\\No Such Package", NULL, &json), SSIS_NOT_FOUND,
           "No Such Package");
    expect("package_run missing file",
           ssis_package_run(s, "/nonexistent/none.dtsx", "{\"File\": true}", &json),
           SSIS_NOT_FOUND, NULL);

    expect("execution_stop session NULL", ssis_execution_stop(NULL, nobody), SSIS_INVALID_ARGUMENT,
           "session");
    expect("execution_stop id NULL", ssis_execution_stop(s, NULL), SSIS_INVALID_ARGUMENT,
           "\"Target\":\"execution_id\"");
    expect("execution_stop bad utf8", ssis_execution_stop(s, "\xc3"), SSIS_INVALID_ARGUMENT,
           "\"Target\":\"execution_id\"");
    expect("execution_stop unknown", ssis_execution_stop(s, nobody), SSIS_NOT_FOUND, nobody);

    expect("executions_list session NULL", ssis_executions_list(NULL, NULL, &json),
           SSIS_INVALID_ARGUMENT, "session");
    expect("executions_list out NULL", ssis_executions_list(s, NULL, NULL), SSIS_INVALID_ARGUMENT,
           "out_json");
    expect("executions_list bad utf8", ssis_executions_list(s, "{\"User\":\"\xff\"}", &json),
           SSIS_INVALID_ARGUMENT, "\"Target\":\"filter_json\"");
    expect("executions_list unknown key", ssis_executions_list(s, "{\"Offset\": 1}", &json),
           SSIS_INVALID_ARGUMENT, "unknown key 'Offset'");
    expect("executions_list bad status", ssis_executions_list(s, "{\"Status\": \"Done\"}", &json),
           SSIS_INVALID_ARGUMENT, "'Status'");
    expect("executions_list running and package",
           ssis_executions_list(s, "{\"Running\": true, \"Package\": \"Hello\"}", &json),
           SSIS_INVALID_ARGUMENT, "'Package'");
    expect("executions_list bad since", ssis_executions_list(s, "{\"Since\": \"yesterday\"}", &json),
           SSIS_INVALID_ARGUMENT, "Since");

    expect("execution_get session NULL", ssis_execution_get(NULL, nobody, &json),
           SSIS_INVALID_ARGUMENT, "session");
    expect("execution_get id NULL", ssis_execution_get(s, NULL, &json), SSIS_INVALID_ARGUMENT,
           "execution_id");
    expect("execution_get out NULL", ssis_execution_get(s, nobody, NULL), SSIS_INVALID_ARGUMENT,
           "out_json");
    expect("execution_get unknown", ssis_execution_get(s, nobody, &json), SSIS_NOT_FOUND, nobody);
    expect("execution_get bad utf8", ssis_execution_get(s, "\xed\xa0\x80", &json),
           SSIS_INVALID_ARGUMENT, "not valid UTF-8");

    expect("execution_output session NULL", ssis_execution_output(NULL, nobody, NULL, &json),
           SSIS_INVALID_ARGUMENT, "session");
    expect("execution_output id NULL", ssis_execution_output(s, NULL, NULL, &json),
           SSIS_INVALID_ARGUMENT, "execution_id");
    expect("execution_output out NULL", ssis_execution_output(s, nobody, NULL, NULL),
           SSIS_INVALID_ARGUMENT, "out_json");
    expect("execution_output unknown", ssis_execution_output(s, nobody, NULL, &json),
           SSIS_NOT_FOUND, nobody);
    expect("execution_output MaxBytes 0",
           ssis_execution_output(s, nobody, "{\"MaxBytes\": 0}", &json), SSIS_INVALID_ARGUMENT,
           "MaxBytes");
    expect("execution_output negative offset",
           ssis_execution_output(s, nobody, "{\"Offset\": -1}", &json), SSIS_INVALID_ARGUMENT,
           "'Offset'");
    expect("execution_output unknown key",
           ssis_execution_output(s, nobody, "{\"Limit\": 1}", &json), SSIS_INVALID_ARGUMENT,
           "unknown key 'Limit'");

    expect("execution_wait session NULL", ssis_execution_wait(NULL, nobody, 0, &json),
           SSIS_INVALID_ARGUMENT, "session");
    expect("execution_wait id NULL", ssis_execution_wait(s, NULL, -1, &json),
           SSIS_INVALID_ARGUMENT, "execution_id");
    expect("execution_wait out NULL", ssis_execution_wait(s, nobody, -1, NULL),
           SSIS_INVALID_ARGUMENT, "out_json");
    expect("execution_wait unknown", ssis_execution_wait(s, nobody, -1, &json), SSIS_NOT_FOUND,
           nobody);

    expect("events_read session NULL", ssis_events_read(NULL, NULL, &json), SSIS_INVALID_ARGUMENT,
           "session");
    expect("events_read out NULL", ssis_events_read(s, NULL, NULL), SSIS_INVALID_ARGUMENT,
           "out_json");
    expect("events_read bad level", ssis_events_read(s, "{\"Level\": \"Fatal\"}", &json),
           SSIS_INVALID_ARGUMENT, "'Level'");
    expect("events_read unknown key", ssis_events_read(s, "{\"Running\": true}", &json),
           SSIS_INVALID_ARGUMENT, "unknown key 'Running'");
    expect("events_read bad utf8", ssis_events_read(s, "{\"Text\": \"\xc0\"}", &json),
           SSIS_INVALID_ARGUMENT, "filter_json");

    expect("service_info session NULL", ssis_service_info(NULL, &json), SSIS_INVALID_ARGUMENT,
           "session");
    expect("service_info out NULL", ssis_service_info(s, NULL), SSIS_INVALID_ARGUMENT,
           "out_json");
    CHECK(strcmp(json, "untouched") == 0, "out_json written on failure");
}

/* Runs `path` (options as given), waits for it and checks the final status. */
static int run_and_wait(ssis_session *s, const char *path, const char *options,
                        const char *status_needle, char *id, size_t id_size) {
    char *json = NULL;
    int ok = 0;
    id[0] = '\0';
    if (expect("package_run", ssis_package_run(s, path, options, &json), SSIS_OK, NULL)) {
        json_string(json, "ExecutionId", id, id_size);
        CHECK(strlen(id) == 36, "execution id of %s: %s", path, json);
        ssis_string_free(json);
        json = NULL;
        if (expect("execution_wait", ssis_execution_wait(s, id, 60000, &json), SSIS_OK, NULL)) {
            ok = strstr(json, status_needle) != NULL;
            CHECK(ok, "%s ended with %s: %s", path, status_needle, json);
            ssis_string_free(json);
        }
    }
    return ok;
}

static void test_run_hello(ssis_session *s, const char *examples) {
    char id[64], file_id[64], failed_id[64], hello_file[4400];
    char *json = NULL;
    char *all;
    int chunks = 0, small_chunks = 0;

    if (!run_and_wait(s, "\\File System\\Hello", NULL, "\"Status\":\"Succeeded\"", id,
                      sizeof id)) {
        return;
    }
    if (expect("execution_get", ssis_execution_get(s, id, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"PackageName\":\"Hello\"", "\"PackagePath\":\"\\\\File System\\\\Hello\"",
                                 "\"Store\":\"File System\"", "\"ExitCode\":0", "\"EndTime\":\"",
                                 "\"StartedBy\":\"", "\"CommandLine\":[", NULL};
        expect_json("execution_get", json, needles);
        ssis_string_free(json);
    }
    /* An ended execution: waiting returns at once, even with a zero timeout; stopping it
     * does nothing. */
    if (expect("execution_wait ended, 0 ms", ssis_execution_wait(s, id, 0, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Status\":\"Succeeded\"", NULL};
        expect_json("execution_wait ended", json, needles);
        ssis_string_free(json);
    }
    expect("execution_stop ended", ssis_execution_stop(s, id), SSIS_OK, NULL);

    /* The output: whole, then in 16-byte chunks, which must add up to the same text. */
    if (expect("execution_output", ssis_execution_output(s, id, NULL, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Offset\":0", "\"Complete\":true", "\"Truncated\":false",
                                 "DTSER_SUCCESS", "Say hello", NULL};
        expect_json("execution_output", json, needles);
        ssis_string_free(json);
    }
    all = read_output(s, id, 0, &chunks);
    CHECK(all != NULL && strstr(all, "DTSER_SUCCESS") != NULL && chunks == 1,
          "output in one chunk (%d)", chunks);
    free(all);
    all = read_output(s, id, 16, &small_chunks);
    CHECK(all != NULL && small_chunks > 10, "output in 16-byte chunks (%d)", small_chunks);
    free(all);
    if (expect("execution_output past the end",
               ssis_execution_output(s, id, "{\"Offset\": 100000000}", &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Text\":\"\"", "\"Complete\":true", NULL};
        expect_json("output past the end", json, needles);
        ssis_string_free(json);
    }

    /* A package file (dtexec /F), with a variable override that does not exist: the runner
     * refuses it, so the execution fails and its output names the variable. */
    snprintf(hello_file, sizeof hello_file, "%s/Packages/Hello.dtsx", examples);
    run_and_wait(s, hello_file, "{\"File\": true}", "\"Status\":\"Succeeded\"", file_id,
                 sizeof file_id);
    if (file_id[0] && expect("execution_get file", ssis_execution_get(s, file_id, &json), SSIS_OK,
                             NULL)) {
        const char *needles[] = {"\"Store\":\"File\"", "\"PackagePath\":null", "Hello.dtsx", NULL};
        expect_json("execution_get file", json, needles);
        ssis_string_free(json);
    }
    run_and_wait(s, "\\File System\\Hello",
                 "{\"Set\": [{\"Name\": \"User::Nope\", \"Value\": \"1\"}], \"File\": false}",
                 "\"Status\":\"Failed\"", failed_id, sizeof failed_id);
    if (failed_id[0]) {
        all = read_output(s, failed_id, 0, &chunks);
        CHECK(all != NULL && strstr(all, "User::Nope") != NULL, "failed output names the variable: %s",
              all ? all : "(null)");
        free(all);
    }

    /* History (newest first), filtered. */
    if (expect("executions_list history", ssis_executions_list(s, NULL, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Items\":[{", id, failed_id, NULL};
        expect_json("history", json, needles);
        CHECK(strstr(json, failed_id) < strstr(json, id), "history is newest first");
        ssis_string_free(json);
    }
    if (expect("executions_list {}", ssis_executions_list(s, "{}", &json), SSIS_OK, NULL)) {
        const char *needles[] = {id, NULL};
        expect_json("history {}", json, needles);
        ssis_string_free(json);
    }
    if (expect("executions_list failed",
               ssis_executions_list(s, "{\"Status\": \"Failed\", \"Package\": \"hello\", "
                                       "\"Since\": \"2000-01-01T00:00:00Z\", \"Limit\": 1}",
                                    &json),
               SSIS_OK, NULL)) {
        const char *needles[] = {failed_id, NULL};
        expect_json("history failed", json, needles);
        CHECK(strstr(json, "\"Status\":\"Succeeded\"") == NULL, "only failed: %s", json);
        ssis_string_free(json);
    }
    if (expect("executions_list until 2000",
               ssis_executions_list(s, "{\"Until\": \"2000-01-01T00:00:00Z\"}", &json), SSIS_OK,
               NULL)) {
        CHECK(strcmp(json, "{\"Items\":[]}") == 0, "nothing before 2000: %s", json);
        ssis_string_free(json);
    }

    /* Events about the execution: started (1020) and succeeded (1021). */
    {
        char filter[256];
        snprintf(filter, sizeof filter, "{\"ExecutionId\": \"%s\"}", id);
        if (expect("events_read execution", ssis_events_read(s, filter, &json), SSIS_OK, NULL)) {
            const char *needles[] = {"\"EventId\":1020", "\"EventId\":1021",
                                     "\"Source\":\"SQLISService\"", "\"Category\":\"Executions\"",
                                     "\"Level\":\"Information\"", NULL};
            expect_json("events of the execution", json, needles);
            ssis_string_free(json);
        }
        snprintf(filter, sizeof filter, "{\"ExecutionId\": \"%s\", \"Level\": \"Error\"}",
                 failed_id);
        if (expect("events_read errors", ssis_events_read(s, filter, &json), SSIS_OK, NULL)) {
            const char *needles[] = {"\"Level\":\"Error\"", failed_id, NULL};
            expect_json("error events of the failed execution", json, needles);
            ssis_string_free(json);
        }
    }
    if (expect("events_read all", ssis_events_read(s, NULL, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Items\":[{", "\"EventId\":256", NULL};
        expect_json("all events", json, needles);
        ssis_string_free(json);
    }
    if (expect("events_read limit", ssis_events_read(s, "{\"Limit\": 1, \"Text\": \"started\"}",
                                                     &json),
               SSIS_OK, NULL)) {
        CHECK(count_of(json, "\"Sequence\":") == 1, "one event: %s", json);
        ssis_string_free(json);
    }
}

/* A long-running package: listed as running, wait times out, stop ends it. */
static void test_stop_long_running(ssis_session *s) {
    char id[64];
    char *json = NULL;
    ssis_status st;
    if (!expect("package_run Sleep",
                ssis_package_run(s, "\\File System\\Tests\\Sleep",
                                 "{\"Set\": [{\"Name\": \"User::Seconds\", \"Value\": \"90\"}]}",
                                 &json),
                SSIS_OK, NULL)) {
        return;
    }
    json_string(json, "ExecutionId", id, sizeof id);
    {
        const char *needles[] = {"\"PackageName\":\"Sleep\"",
                                 "\\\\Package.Variables[User::Seconds].Properties[Value];90", NULL};
        expect_json("package_run Sleep", json, needles);
    }
    ssis_string_free(json);
    json = (char *)"untouched";
    st = ssis_execution_wait(s, id, 300, &json);
    expect("execution_wait times out", st, SSIS_TIMEOUT, id);
    CHECK(strcmp(json, "untouched") == 0, "out_json written on timeout");
    if (expect("executions_list running", ssis_executions_list(s, "{\"Running\": true}", &json),
               SSIS_OK, NULL)) {
        const char *needles[] = {"\"Items\":[{", id, "\"Status\":\"Running\"", NULL};
        expect_json("running", json, needles);
        ssis_string_free(json);
    }
    if (expect("service_info running", ssis_service_info(s, &json), SSIS_OK, NULL)) {
        CHECK(strstr(json, "\"RunningExecutions\":0") == NULL, "a running execution: %s", json);
        ssis_string_free(json);
    }
    expect("execution_stop", ssis_execution_stop(s, id), SSIS_OK, NULL);
    if (expect("execution_get after stop", ssis_execution_get(s, id, &json), SSIS_OK, NULL)) {
        CHECK(strstr(json, "\"Status\":\"Stopping\"") || strstr(json, "\"Status\":\"Stopped\""),
              "stopping or stopped: %s", json);
        ssis_string_free(json);
    }
    if (expect("execution_wait after stop", ssis_execution_wait(s, id, -1, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"Status\":\"Stopped\"", "\"EndTime\":\"", NULL};
        expect_json("stopped", json, needles);
        ssis_string_free(json);
    }
    if (expect("executions_list running after stop",
               ssis_executions_list(s, "{\"Running\": true}", &json), SSIS_OK, NULL)) {
        CHECK(strstr(json, id) == NULL, "no longer running: %s", json);
        ssis_string_free(json);
    }
    if (expect("executions_list stopped",
               ssis_executions_list(s, "{\"Status\": \"Stopped\", \"Running\": false}", &json),
               SSIS_OK, NULL)) {
        const char *needles[] = {id, NULL};
        expect_json("history stopped", json, needles);
        ssis_string_free(json);
    }
}

/* A stored package with a non-ASCII name, imported over the service and run. */
static void test_run_non_ascii(ssis_session *s, const char *examples) {
    char file[4400], id[64];
    char *json = NULL;
    const char *path = "\\File System\\Tests\\Grüße €";
    snprintf(file, sizeof file, "%s/Packages/Hello.dtsx", examples);
    if (!expect("package_import over the service", ssis_package_import(s, file, path, 1, &json),
                SSIS_OK, NULL)) {
        return;
    }
    ssis_string_free(json);
    if (run_and_wait(s, path, "", "\"Status\":\"Succeeded\"", id, sizeof id) &&
        expect("execution_get non-ASCII", ssis_execution_get(s, id, &json), SSIS_OK, NULL)) {
        const char *needles[] = {"\"PackageName\":\"Grüße €\"", "Tests\\\\Grüße €", NULL};
        expect_json("non-ASCII execution", json, needles);
        ssis_string_free(json);
    }
    if (expect("executions_list non-ASCII", ssis_executions_list(s, "{\"Package\": \"grüße\"}", &json),
               SSIS_OK, NULL)) {
        const char *needles[] = {id, NULL};
        expect_json("history by non-ASCII name", json, needles);
        ssis_string_free(json);
    }
}

/* Threads sharing one service session: runs and waits at once. */
struct runner {
    ssis_session *session;
    int errors;
};

static void *runner_main(void *arg) {
    struct runner *r = arg;
    int i;
    for (i = 0; i < 2; i++) {
        char *json = NULL;
        char id[64];
        if (ssis_package_run(r->session, "\\File System\\Hello", NULL, &json) != SSIS_OK) {
            r->errors++;
            continue;
        }
        json_string(json, "ExecutionId", id, sizeof id);
        ssis_string_free(json);
        json = NULL;
        if (ssis_execution_wait(r->session, id, 60000, &json) != SSIS_OK ||
            strstr(json, "\"Status\":\"Succeeded\"") == NULL) {
            r->errors++;
        }
        ssis_string_free(json);
    }
    return NULL;
}

static void test_service_threads(ssis_session *s) {
    pthread_t threads[4];
    struct runner runners[4];
    int i;
    for (i = 0; i < 4; i++) {
        runners[i].session = s;
        runners[i].errors = 0;
        pthread_create(&threads[i], NULL, runner_main, &runners[i]);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK(runners[i].errors == 0, "service thread %d had %d errors", i, runners[i].errors);
    }
}

static void test_service(const char *socket_path, const char *examples) {
    char srv[4400];
    char *json = NULL;
    ssis_session *s = NULL;
    snprintf(srv, sizeof srv, "unix:%s", socket_path);
    if (!expect("connect service", ssis_connect(srv, NULL, &s), SSIS_OK, NULL)) {
        return;
    }
    if (expect("service_info", ssis_service_info(s, &json), SSIS_OK, NULL)) {
        char listen[4500];
        const char *needles[] = {"\"Version\":\"", "\"ProcessId\":", "\"StartTime\":\"",
                                 "\"StateDirectory\":\"", "\"Executor\":[",
                                 "\"StopExecutingPackagesOnShutdown\":true", "\"RunningExecutions\":",
                                 NULL};
        expect_json("service_info", json, needles);
        snprintf(listen, sizeof listen, "\"Listen\":\"unix:%s\"", socket_path);
        CHECK(strstr(json, listen) != NULL, "service_info %s lacks %s", json, listen);
        ssis_string_free(json);
    }
    /* The log read from the state directory (<socket's folder>/state here), no session. */
    {
        char state[4400];
        const char *slash = strrchr(socket_path, '/');
        int dir_len = slash ? (int)(slash - socket_path) : 0;
        snprintf(state, sizeof state, "%.*s/state", dir_len, socket_path);
        if (expect("events_read_state", ssis_events_read_state(state, "{\"EventId\": 257}", &json),
                   SSIS_OK, NULL)) {
            const char *needles[] = {"\"EventId\":257", "\"Source\":\"SQLISService\"", NULL};
            expect_json("events_read_state", json, needles);
            ssis_string_free(json);
        }
        expect("events_read_state NULL", ssis_events_read_state(NULL, NULL, &json),
               SSIS_INVALID_ARGUMENT, "state_dir");
        expect("events_read_state missing",
               ssis_events_read_state("/nonexistent/state", NULL, &json), SSIS_NOT_FOUND,
               "state database");
    }
    test_execution_errors(s);
    test_run_hello(s, examples);
    test_stop_long_running(s);
    test_run_non_ascii(s, examples);
    test_service_threads(s);
    /* A patch through the service: read, merge, set over the protocol. */
    if (expect("service set_config_patch {}", ssis_set_config_patch(s, "{}", &json), SSIS_OK,
               NULL)) {
        const char *needles[] = {"\"TopLevelFolders\"", NULL};
        expect_json("service set_config_patch", json, needles);
        ssis_string_free(json);
    }
    ssis_disconnect(s);
}

int main(int argc, char **argv) {
    ssis_session *s = NULL;
    char packages[4300];
    if (argc < 2) {
        fprintf(stderr, "usage: %s <empty work dir> [<examples dir>]\n", argv[0]);
        return 2;
    }
    snprintf(work, sizeof work, "%s", argv[1]);
    snprintf(config_path, sizeof config_path, "%s/MsDtsSrvr.ini.xml", work);
    snprintf(server, sizeof server, "embedded:%s", config_path);
    snprintf(package_file, sizeof package_file, "%s/CTest.dtsx", work);
    snprintf(packages, sizeof packages, "%s/Packages", work);
    mkdir(packages, 0755);
    write_file(config_path, CONFIG_XML);
    write_file(package_file, PACKAGE_XML);
    setenv("SSIS_SERVICE_CONFIG", config_path, 1);

    test_version_and_names();
    test_null_handling();
    test_config();
    test_config_patch();
    if (expect("connect", ssis_connect(server, NULL, &s), SSIS_OK, NULL)) {
        test_session_config(s);
        test_access(s);
        test_store(s);
        test_resolve_packages(s);
        test_last_error(s);
        test_threads(s);
        test_service_functions_need_a_service(s);
#ifndef _WIN32
        test_fork(s);
#endif
        ssis_disconnect(s);
    }
    /* "embedded:" alone: the configuration in force ($SSIS_SERVICE_CONFIG) in-process. */
    s = NULL;
    if (expect("connect embedded default", ssis_connect("embedded:", NULL, &s), SSIS_OK, NULL)) {
        char *json = NULL;
        if (expect("list default", ssis_list_folders(s, NULL, &json), SSIS_OK, NULL)) {
            const char *needles[] = {"\"Name\":\"File System\"", NULL};
            expect_json("list default", json, needles);
            ssis_string_free(json);
        }
        ssis_disconnect(s);
    }
    /* NULL server: the local service, here on a socket where none listens. */
    {
        char sock[4300], unix_server[4400];
        ssis_session *none = NULL;
        snprintf(sock, sizeof sock, "%s/no-service.sock", work);
        setenv("SSIS_SERVICE_SOCKET", sock, 1);
        expect("connect local service, none running", ssis_connect(NULL, NULL, &none),
               SSIS_CONNECTION, "no-service.sock");
        snprintf(unix_server, sizeof unix_server, "unix:%s/other.sock", work);
        expect("connect unix socket, none listening", ssis_connect(unix_server, "", &none),
               SSIS_CONNECTION, "other.sock");
        CHECK(none == NULL, "no handle without a service");
    }
    if (argc > 2) {
        test_examples(argv[2]);
    }
    /* A running service (tests/c/run.sh starts one): executions, events, service info. */
    if (getenv("SSIS_TEST_SERVICE_SOCKET") != NULL && argc > 2) {
        test_service(getenv("SSIS_TEST_SERVICE_SOCKET"), argv[2]);
    } else {
        printf("service tests skipped: set SSIS_TEST_SERVICE_SOCKET and pass the examples "
               "directory (tests/c/run.sh does)\n");
    }

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
