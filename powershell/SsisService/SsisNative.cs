// P/Invoke binding of libssis_service (include/ssis_service.h), loaded by the PowerShell
// module with Add-Type -Path and compiled by the Mono tests (tests/dotnet/run.sh).
//
// Rules (docs/C-API.md, "Using the library from .NET"):
// - Cdecl, exact entry-point spelling; the library name is "ssis_service" (Windows:
//   ssis_service.dll; Linux: libssis_service.so; macOS: libssis_service.dylib). The module
//   loads the file itself by absolute path (NativeLibrary.Load / LoadLibraryW) before the
//   first call; under Mono, LD_LIBRARY_PATH or a <dllmap> in a .config file finds it.
// - Strings go in as NUL-terminated UTF-8 byte arrays (never the platform's ANSI default)
//   and come out as IntPtr, decoded as UTF-8 and freed with ssis_string_free in finally.
// - A session lives in SsisSessionHandle (a SafeHandle: released with ssis_disconnect).
// - A non-OK status throws SsisException, carrying the status, the error kind and the
//   library's last-error JSON, read in the same method (the last error is per thread).
//
// C# 5 only (mcs -langversion:5, Windows PowerShell 5.1's compiler): no string
// interpolation, no ?. operator, no expression-bodied members, no nameof.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;

// tests/dotnet/SsisNativeTests.exe drives the raw imports (Native) against the shipped DLL.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("SsisNativeTests")]

namespace SsisService
{
    /// <summary>ssis_status: the result of every fallible call (same numbers as the C enum).</summary>
    public enum SsisStatus
    {
        Ok = 0,
        InvalidArgument = 1,
        NotFound = 2,
        AlreadyExists = 3,
        AccessDenied = 4,
        Connection = 5,
        Configuration = 6,
        Package = 7,
        Io = 8,
        Unsupported = 9,
        Internal = 10,
        Timeout = 11,
        Canceled = 12,
        NotEmpty = 13,
        Protocol = 14
    }

    /// <summary>A failed library call: status, kind, message, target and the error JSON.</summary>
    public class SsisException : Exception
    {
        private readonly SsisStatus status;
        private readonly string kind;
        private readonly string target;
        private readonly string errorJson;

        public SsisException(SsisStatus status, string kind, string message, string target, string errorJson)
            : base(message)
        {
            this.status = status;
            this.kind = kind;
            this.target = target;
            this.errorJson = errorJson;
        }

        /// <summary>The ssis_status the call returned.</summary>
        public SsisStatus Status { get { return status; } }

        /// <summary>The error kind, e.g. "NotFound" (PowerShell: FullyQualifiedErrorId Ssis.Kind).</summary>
        public string Kind { get { return kind; } }

        /// <summary>The path, parameter or name at fault, or null.</summary>
        public string Target { get { return target; } }

        /// <summary>The library's last-error JSON: Kind, Message, Target, Details.</summary>
        public string ErrorJson { get { return errorJson; } }

        /// <summary>The file at fault (Details.File), or null.</summary>
        public string File
        {
            get { return JsonText.TopLevelString(JsonText.TopLevelRaw(errorJson, "Details"), "File"); }
        }

        /// <summary>The 1-based line in File (Details.Line), or null.</summary>
        public long? Line
        {
            get { return JsonText.TopLevelInteger(JsonText.TopLevelRaw(errorJson, "Details"), "Line"); }
        }

        /// <summary>The 1-based column in File (Details.Column), or null.</summary>
        public long? Column
        {
            get { return JsonText.TopLevelInteger(JsonText.TopLevelRaw(errorJson, "Details"), "Column"); }
        }

        /// <summary>"file:line:column" (as much as is known), or null when the error has no location.</summary>
        public string Location
        {
            get
            {
                string file = File;
                long? line = Line;
                long? column = Column;
                if (file == null && line == null)
                {
                    return null;
                }
                StringBuilder sb = new StringBuilder(file ?? "");
                if (line != null)
                {
                    if (sb.Length > 0)
                    {
                        sb.Append(", ");
                    }
                    sb.Append("line ").Append(line.Value);
                    if (column != null)
                    {
                        sb.Append(", column ").Append(column.Value);
                    }
                }
                return sb.ToString();
            }
        }

        /// <summary>The message with where it happened: the location (file, line, column) and
        /// the target when the message does not already name them.</summary>
        public string DetailedMessage
        {
            get
            {
                string text = Message;
                string location = Location;
                if (location != null)
                {
                    text += " (at " + location + ")";
                }
                if (!string.IsNullOrEmpty(target) && text.IndexOf(target, StringComparison.Ordinal) < 0)
                {
                    text += " [" + target + "]";
                }
                return text;
            }
        }
    }

    /// <summary>An open session; disposing it (or finalization) calls ssis_disconnect.</summary>
    public sealed class SsisSessionHandle : SafeHandle
    {
        public SsisSessionHandle() : base(IntPtr.Zero, true)
        {
        }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        protected override bool ReleaseHandle()
        {
            SsisNative.Native.ssis_disconnect(handle);
            return true;
        }
    }

    /// <summary>The library's functions, each returning its JSON result as a string.</summary>
    public static class SsisNative
    {
        /// <summary>The DllImport name of the library.</summary>
        public const string LibraryName = "ssis_service";

        /// <summary>The ABI version this binding was written for (SSIS_ABI_VERSION).</summary>
        public const int ExpectedAbiVersion = 1;

        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, true);

        /// <summary>The raw imports, exactly as the header declares them.</summary>
        internal static class Native
        {
            [DllImport(LibraryName, EntryPoint = "ssis_version", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern IntPtr ssis_version();

            [DllImport(LibraryName, EntryPoint = "ssis_abi_version", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_abi_version();

            [DllImport(LibraryName, EntryPoint = "ssis_status_name", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern IntPtr ssis_status_name(int code);

            [DllImport(LibraryName, EntryPoint = "ssis_string_free", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern void ssis_string_free(IntPtr s);

            [DllImport(LibraryName, EntryPoint = "ssis_last_error", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_last_error(out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_connect", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_connect(byte[] server, byte[] optionsJson, out SsisSessionHandle session);

            [DllImport(LibraryName, EntryPoint = "ssis_disconnect", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern void ssis_disconnect(IntPtr session);

            [DllImport(LibraryName, EntryPoint = "ssis_config_read", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_config_read(byte[] path, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_config_write", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_config_write(byte[] path, byte[] configJson);

            [DllImport(LibraryName, EntryPoint = "ssis_config_validate", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_config_validate(byte[] path, byte[] configJson, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_get_config", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_get_config(SsisSessionHandle session, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_set_config", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_set_config(SsisSessionHandle session, byte[] configJson);

            [DllImport(LibraryName, EntryPoint = "ssis_resolve_packages", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_resolve_packages(SsisSessionHandle session, byte[] path, int literal, int recursive, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_config_patch", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_config_patch(byte[] path, byte[] patchJson, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_set_config_patch", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_set_config_patch(SsisSessionHandle session, byte[] patchJson, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_access_list", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_access_list(SsisSessionHandle session, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_access_grant", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_access_grant(SsisSessionHandle session, byte[] principal, byte[] rights, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_access_revoke", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_access_revoke(SsisSessionHandle session, byte[] principal, byte[] rights, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_list_folders", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_list_folders(SsisSessionHandle session, byte[] path, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_list_packages", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_list_packages(SsisSessionHandle session, byte[] folder, int recursive, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_package_info", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_package_info(SsisSessionHandle session, byte[] path, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_folder_create", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_folder_create(SsisSessionHandle session, byte[] path, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_folder_rename", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_folder_rename(SsisSessionHandle session, byte[] path, byte[] newName, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_folder_delete", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_folder_delete(SsisSessionHandle session, byte[] path, int recursive);

            [DllImport(LibraryName, EntryPoint = "ssis_package_import", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_package_import(SsisSessionHandle session, byte[] file, byte[] dest, int replace, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_package_export", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_package_export(SsisSessionHandle session, byte[] path, byte[] file, int replace, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_package_copy", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_package_copy(SsisSessionHandle session, byte[] source, byte[] dest, int replace, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_package_move", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_package_move(SsisSessionHandle session, byte[] source, byte[] dest, int replace, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_package_delete", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_package_delete(SsisSessionHandle session, byte[] path);

            [DllImport(LibraryName, EntryPoint = "ssis_exists", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_exists(SsisSessionHandle session, byte[] path, out IntPtr outJson);
            [DllImport(LibraryName, EntryPoint = "ssis_package_run", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_package_run(SsisSessionHandle session, byte[] path, byte[] optionsJson, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_execution_stop", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_execution_stop(SsisSessionHandle session, byte[] executionId);

            [DllImport(LibraryName, EntryPoint = "ssis_executions_list", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_executions_list(SsisSessionHandle session, byte[] filterJson, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_execution_get", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_execution_get(SsisSessionHandle session, byte[] executionId, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_execution_output", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_execution_output(SsisSessionHandle session, byte[] executionId, byte[] optionsJson, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_execution_wait", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_execution_wait(SsisSessionHandle session, byte[] executionId, long timeoutMs, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_events_read", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_events_read(SsisSessionHandle session, byte[] filterJson, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_events_read_state", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_events_read_state(byte[] stateDir, byte[] filterJson, out IntPtr outJson);

            [DllImport(LibraryName, EntryPoint = "ssis_service_info", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
            internal static extern int ssis_service_info(SsisSessionHandle session, out IntPtr outJson);
        }

        // ---- marshalling helpers ----

        /// <summary>A string as NUL-terminated UTF-8 (null stays null = C NULL).</summary>
        internal static byte[] Utf8(string value, string parameter)
        {
            if (value == null)
            {
                return null;
            }
            if (value.IndexOf('\0') >= 0)
            {
                throw new ArgumentException("the string contains a NUL character", parameter);
            }
            byte[] text;
            try
            {
                text = StrictUtf8.GetBytes(value);
            }
            catch (EncoderFallbackException e)
            {
                throw new ArgumentException("the string is not valid Unicode (lone surrogate)", parameter, e);
            }
            byte[] bytes = new byte[text.Length + 1];
            Buffer.BlockCopy(text, 0, bytes, 0, text.Length);
            return bytes;
        }

        /// <summary>Decodes a NUL-terminated UTF-8 string owned by someone else (not freed).</summary>
        internal static string FromUtf8(IntPtr ptr)
        {
            if (ptr == IntPtr.Zero)
            {
                return null;
            }
            int length = 0;
            while (Marshal.ReadByte(ptr, length) != 0)
            {
                length++;
            }
            byte[] bytes = new byte[length];
            Marshal.Copy(ptr, bytes, 0, length);
            return StrictUtf8.GetString(bytes);
        }

        /// <summary>Decodes then frees a string the library returned.</summary>
        internal static string TakeString(IntPtr ptr)
        {
            try
            {
                return FromUtf8(ptr);
            }
            finally
            {
                Native.ssis_string_free(ptr);
            }
        }

        private static int Bool(bool value)
        {
            return value ? 1 : 0;
        }

        /// <summary>Throws SsisException for a non-OK status; call right after the native call,
        /// on the same thread, so the last error read is this call's.</summary>
        internal static void Check(int status)
        {
            if (status == 0)
            {
                return;
            }
            string json = null;
            IntPtr ptr;
            if (Native.ssis_last_error(out ptr) == 0)
            {
                json = TakeString(ptr);
            }
            string kind = JsonText.TopLevelString(json, "Kind");
            string message = JsonText.TopLevelString(json, "Message");
            string target = JsonText.TopLevelString(json, "Target");
            if (kind == null)
            {
                kind = Enum.IsDefined(typeof(SsisStatus), status) ? ((SsisStatus)status).ToString() : "Unknown";
            }
            if (message == null)
            {
                message = "ssis_service call failed with " + StatusName(status);
            }
            throw new SsisException((SsisStatus)status, kind, message, target, json);
        }

        /// <summary>Checks a status and returns the out string (decoded and freed).</summary>
        private static string Result(int status, IntPtr outJson)
        {
            Check(status);
            return TakeString(outJson);
        }

        // ---- the functions ----

        /// <summary>ssis_version: "MAJOR.MINOR.PATCH[+revision]".</summary>
        public static string Version()
        {
            return FromUtf8(Native.ssis_version());
        }

        /// <summary>ssis_abi_version.</summary>
        public static int AbiVersion()
        {
            return Native.ssis_abi_version();
        }

        /// <summary>Throws unless the loaded library has the ABI this binding expects.</summary>
        public static void EnsureAbi()
        {
            int abi = AbiVersion();
            if (abi != ExpectedAbiVersion)
            {
                throw new InvalidOperationException("libssis_service has ABI version " + abi +
                    " but this binding needs " + ExpectedAbiVersion + " (library version " + Version() + ")");
            }
        }

        /// <summary>ssis_status_name, e.g. "SSIS_NOT_FOUND".</summary>
        public static string StatusName(int code)
        {
            return FromUtf8(Native.ssis_status_name(code));
        }

        /// <summary>ssis_last_error: this thread's last error JSON, or "null".</summary>
        public static string LastError()
        {
            IntPtr ptr;
            int status = Native.ssis_last_error(out ptr);
            if (status != 0)
            {
                throw new SsisException((SsisStatus)status, "InvalidArgument", "ssis_last_error failed", null, null);
            }
            return TakeString(ptr);
        }

        /// <summary>ssis_connect: "embedded:&lt;config path&gt;", or null/"" for the default configuration.</summary>
        public static SsisSessionHandle Connect(string server, string optionsJson)
        {
            SsisSessionHandle session;
            int status = Native.ssis_connect(Utf8(server, "server"), Utf8(optionsJson, "optionsJson"), out session);
            Check(status);
            return session;
        }

        public static string ConfigRead(string path)
        {
            IntPtr json;
            int status = Native.ssis_config_read(Utf8(path, "path"), out json);
            return Result(status, json);
        }

        public static void ConfigWrite(string path, string configJson)
        {
            Check(Native.ssis_config_write(Utf8(path, "path"), Utf8(configJson, "configJson")));
        }

        public static string ConfigValidate(string path, string configJson)
        {
            IntPtr json;
            int status = Native.ssis_config_validate(Utf8(path, "path"), Utf8(configJson, "configJson"), out json);
            return Result(status, json);
        }

        public static string GetConfig(SsisSessionHandle session)
        {
            IntPtr json;
            int status = Native.ssis_get_config(session, out json);
            return Result(status, json);
        }

        public static void SetConfig(SsisSessionHandle session, string configJson)
        {
            Check(Native.ssis_set_config(session, Utf8(configJson, "configJson")));
        }

        /// <summary>ssis_resolve_packages: the packages a store path (literal) or pattern names:
        /// {"Path", "Literal", "Items"}.</summary>
        public static string ResolvePackages(SsisSessionHandle session, string path, bool literal, bool recursive)
        {
            IntPtr json;
            int status = Native.ssis_resolve_packages(session, Utf8(path, "path"), Bool(literal), Bool(recursive), out json);
            return Result(status, json);
        }

        /// <summary>ssis_config_patch: applies a JSON merge patch to a configuration file;
        /// returns the configuration written.</summary>
        public static string ConfigPatch(string path, string patchJson)
        {
            IntPtr json;
            int status = Native.ssis_config_patch(Utf8(path, "path"), Utf8(patchJson, "patchJson"), out json);
            return Result(status, json);
        }

        /// <summary>ssis_set_config_patch: applies a JSON merge patch to the session's
        /// configuration; returns the configuration applied.</summary>
        public static string SetConfigPatch(SsisSessionHandle session, string patchJson)
        {
            IntPtr json;
            int status = Native.ssis_set_config_patch(session, Utf8(patchJson, "patchJson"), out json);
            return Result(status, json);
        }

        public static string AccessList(SsisSessionHandle session)
        {
            IntPtr json;
            int status = Native.ssis_access_list(session, out json);
            return Result(status, json);
        }

        public static string AccessGrant(SsisSessionHandle session, string principal, string rights)
        {
            IntPtr json;
            int status = Native.ssis_access_grant(session, Utf8(principal, "principal"), Utf8(rights, "rights"), out json);
            return Result(status, json);
        }

        public static string AccessRevoke(SsisSessionHandle session, string principal, string rights)
        {
            IntPtr json;
            int status = Native.ssis_access_revoke(session, Utf8(principal, "principal"), Utf8(rights, "rights"), out json);
            return Result(status, json);
        }

        public static string ListFolders(SsisSessionHandle session, string path)
        {
            IntPtr json;
            int status = Native.ssis_list_folders(session, Utf8(path, "path"), out json);
            return Result(status, json);
        }

        public static string ListPackages(SsisSessionHandle session, string folder, bool recursive)
        {
            IntPtr json;
            int status = Native.ssis_list_packages(session, Utf8(folder, "folder"), Bool(recursive), out json);
            return Result(status, json);
        }

        public static string PackageInfo(SsisSessionHandle session, string path)
        {
            IntPtr json;
            int status = Native.ssis_package_info(session, Utf8(path, "path"), out json);
            return Result(status, json);
        }

        public static string FolderCreate(SsisSessionHandle session, string path)
        {
            IntPtr json;
            int status = Native.ssis_folder_create(session, Utf8(path, "path"), out json);
            return Result(status, json);
        }

        public static string FolderRename(SsisSessionHandle session, string path, string newName)
        {
            IntPtr json;
            int status = Native.ssis_folder_rename(session, Utf8(path, "path"), Utf8(newName, "newName"), out json);
            return Result(status, json);
        }

        public static void FolderDelete(SsisSessionHandle session, string path, bool recursive)
        {
            Check(Native.ssis_folder_delete(session, Utf8(path, "path"), Bool(recursive)));
        }

        public static string PackageImport(SsisSessionHandle session, string file, string dest, bool replace)
        {
            IntPtr json;
            int status = Native.ssis_package_import(session, Utf8(file, "file"), Utf8(dest, "dest"), Bool(replace), out json);
            return Result(status, json);
        }

        public static string PackageExport(SsisSessionHandle session, string path, string file, bool replace)
        {
            IntPtr json;
            int status = Native.ssis_package_export(session, Utf8(path, "path"), Utf8(file, "file"), Bool(replace), out json);
            return Result(status, json);
        }

        public static string PackageCopy(SsisSessionHandle session, string source, string dest, bool replace)
        {
            IntPtr json;
            int status = Native.ssis_package_copy(session, Utf8(source, "source"), Utf8(dest, "dest"), Bool(replace), out json);
            return Result(status, json);
        }

        public static string PackageMove(SsisSessionHandle session, string source, string dest, bool replace)
        {
            IntPtr json;
            int status = Native.ssis_package_move(session, Utf8(source, "source"), Utf8(dest, "dest"), Bool(replace), out json);
            return Result(status, json);
        }

        public static void PackageDelete(SsisSessionHandle session, string path)
        {
            Check(Native.ssis_package_delete(session, Utf8(path, "path")));
        }

        public static string Exists(SsisSessionHandle session, string path)
        {
            IntPtr json;
            int status = Native.ssis_exists(session, Utf8(path, "path"), out json);
            return Result(status, json);
        }
        // ---- executions, events and the service (service sessions only) ----

        /// <summary>ssis_package_run: starts a package; optionsJson null or {"Set": [{"Name", "Value"}], "File": bool}.
        /// Returns the Execution JSON.</summary>
        public static string PackageRun(SsisSessionHandle session, string path, string optionsJson)
        {
            IntPtr json;
            int status = Native.ssis_package_run(session, Utf8(path, "path"), Utf8(optionsJson, "optionsJson"), out json);
            return Result(status, json);
        }

        /// <summary>ssis_execution_stop: asks for the stop and returns at once (use ExecutionWait).</summary>
        public static void ExecutionStop(SsisSessionHandle session, string executionId)
        {
            Check(Native.ssis_execution_stop(session, Utf8(executionId, "executionId")));
        }

        /// <summary>ssis_executions_list: {"Running": true} for the running ones, else history filters (null: all, newest first).</summary>
        public static string ExecutionsList(SsisSessionHandle session, string filterJson)
        {
            IntPtr json;
            int status = Native.ssis_executions_list(session, Utf8(filterJson, "filterJson"), out json);
            return Result(status, json);
        }

        /// <summary>ssis_execution_get: one Execution.</summary>
        public static string ExecutionGet(SsisSessionHandle session, string executionId)
        {
            IntPtr json;
            int status = Native.ssis_execution_get(session, Utf8(executionId, "executionId"), out json);
            return Result(status, json);
        }

        /// <summary>ssis_execution_output: optionsJson null or {"Offset": n, "MaxBytes": n}.</summary>
        public static string ExecutionOutput(SsisSessionHandle session, string executionId, string optionsJson)
        {
            IntPtr json;
            int status = Native.ssis_execution_output(session, Utf8(executionId, "executionId"), Utf8(optionsJson, "optionsJson"), out json);
            return Result(status, json);
        }

        /// <summary>ssis_execution_wait: timeoutMs &lt; 0 waits without limit; SsisStatus.Timeout when it expires.</summary>
        public static string ExecutionWait(SsisSessionHandle session, string executionId, long timeoutMs)
        {
            IntPtr json;
            int status = Native.ssis_execution_wait(session, Utf8(executionId, "executionId"), timeoutMs, out json);
            return Result(status, json);
        }

        /// <summary>ssis_events_read: the event log; filterJson null or {"Since", "Level", "Text", "ExecutionId", "EventId", "AfterSequence", "Limit"}.</summary>
        public static string EventsRead(SsisSessionHandle session, string filterJson)
        {
            IntPtr json;
            int status = Native.ssis_events_read(session, Utf8(filterJson, "filterJson"), out json);
            return Result(status, json);
        }

        /// <summary>ssis_events_read_state: the event log read from a state directory, with no service running.</summary>
        public static string EventsReadState(string stateDirectory, string filterJson)
        {
            IntPtr json;
            int status = Native.ssis_events_read_state(Utf8(stateDirectory, "stateDirectory"), Utf8(filterJson, "filterJson"), out json);
            return Result(status, json);
        }

        /// <summary>ssis_service_info: what the service is and runs with.</summary>
        public static string ServiceInfo(SsisSessionHandle session)
        {
            IntPtr json;
            int status = Native.ssis_service_info(session, out json);
            return Result(status, json);
        }
    }

    /// <summary>Points the binding's DllImport("ssis_service") at a library loaded by absolute
    /// path. On .NET Core 3+ (PowerShell 7) through NativeLibrary.SetDllImportResolver, found
    /// by reflection so that this file also compiles for .NET Framework (Windows PowerShell 5.1,
    /// Mono) and one compiled SsisNative.dll serves both. On .NET Framework, Windows' loader
    /// answers DllImport("ssis_service") with a module already loaded under the base name
    /// ssis_service.dll, so the module preloads that file with LoadLibraryW.</summary>
    public static class NativeLoader
    {
        private static IntPtr library = IntPtr.Zero;
        private static bool registered;
        private static readonly object Gate = new object();

        /// <summary>The handle DllImport("ssis_service") resolves to (IntPtr.Zero before UseLibrary).</summary>
        public static IntPtr Library
        {
            get { return library; }
        }

        /// <summary>Whether the runtime has System.Runtime.InteropServices.NativeLibrary (.NET Core 3+).</summary>
        public static bool HasNativeLibrary
        {
            get { return NativeLibraryType() != null; }
        }

        /// <summary>Loads the library at `path`: NativeLibrary.Load on .NET Core 3+, else LoadLibraryW
        /// (Windows) or dlopen (Linux, under Mono). Throws when it cannot be loaded.</summary>
        public static IntPtr Load(string path)
        {
            Type type = NativeLibraryType();
            if (type != null)
            {
                return (IntPtr)Invoke(type.GetMethod("Load", new Type[] { typeof(string) }), path);
            }
            IntPtr handle;
            if (Environment.OSVersion.Platform == PlatformID.Win32NT)
            {
                handle = LoadLibraryW(path);
                if (handle == IntPtr.Zero)
                {
                    throw new System.ComponentModel.Win32Exception(Marshal.GetLastWin32Error());
                }
                return handle;
            }
            handle = dlopen(path, 2);
            if (handle == IntPtr.Zero)
            {
                throw new DllNotFoundException("dlopen failed for " + path);
            }
            return handle;
        }

        /// <summary>The address of the export `name` of a library from Load.</summary>
        public static IntPtr GetExport(IntPtr handle, string name)
        {
            Type type = NativeLibraryType();
            if (type != null)
            {
                return (IntPtr)Invoke(type.GetMethod("GetExport", new Type[] { typeof(IntPtr), typeof(string) }), handle, name);
            }
            IntPtr address = Environment.OSVersion.Platform == PlatformID.Win32NT ? GetProcAddress(handle, name) : dlsym(handle, name);
            if (address == IntPtr.Zero)
            {
                throw new EntryPointNotFoundException("the library has no export " + name);
            }
            return address;
        }

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate int AbiVersionFunction();

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate IntPtr VersionFunction();

        /// <summary>ssis_abi_version of the library `handle`, called through its export and not
        /// through DllImport: checking a candidate binds no P/Invoke stub to it, so after a
        /// mismatch another file can still be used (stubs bind on their first call).</summary>
        public static int AbiVersionOf(IntPtr handle)
        {
            AbiVersionFunction f = (AbiVersionFunction)Marshal.GetDelegateForFunctionPointer(
                GetExport(handle, "ssis_abi_version"), typeof(AbiVersionFunction));
            return f();
        }

        /// <summary>ssis_version of the library `handle`, through its export (see AbiVersionOf).</summary>
        public static string VersionOf(IntPtr handle)
        {
            VersionFunction f = (VersionFunction)Marshal.GetDelegateForFunctionPointer(
                GetExport(handle, "ssis_version"), typeof(VersionFunction));
            return SsisNative.FromUtf8(f());
        }

        private static object Invoke(System.Reflection.MethodInfo method, params object[] arguments)
        {
            try
            {
                return method.Invoke(null, arguments);
            }
            catch (System.Reflection.TargetInvocationException e)
            {
                throw e.InnerException ?? e;
            }
        }

        [DllImport("kernel32.dll", CharSet = CharSet.Ansi, SetLastError = true, ExactSpelling = true)]
        private static extern IntPtr GetProcAddress(IntPtr module, string name);

        [DllImport("libdl.so.2", EntryPoint = "dlopen")]
        private static extern IntPtr dlopen(string file, int mode);

        [DllImport("libdl.so.2", EntryPoint = "dlsym")]
        private static extern IntPtr dlsym(IntPtr handle, string name);

        /// <summary>Makes DllImport("ssis_service") resolve to `handle`. Every call updates the
        /// handle (a module imported again after a failed ABI check loads another file); the
        /// resolver itself is registered once per assembly, as .NET allows. Returns true when
        /// a resolver is in place (.NET Core 3+), false on runtimes without NativeLibrary.</summary>
        public static bool UseLibrary(IntPtr handle)
        {
            lock (Gate)
            {
                library = handle;
                if (registered)
                {
                    return true;
                }
                Type type = NativeLibraryType();
                Type resolverType = type == null ? null : type.Assembly.GetType("System.Runtime.InteropServices.DllImportResolver", false);
                if (type == null || resolverType == null)
                {
                    return false;
                }
                System.Reflection.MethodInfo set = type.GetMethod("SetDllImportResolver", new Type[] { typeof(System.Reflection.Assembly), resolverType });
                System.Reflection.MethodInfo resolve = typeof(NativeLoader).GetMethod("Resolve",
                    System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static);
                Delegate resolver = Delegate.CreateDelegate(resolverType, resolve);
                set.Invoke(null, new object[] { typeof(SsisNative).Assembly, resolver });
                registered = true;
                return true;
            }
        }

        private static IntPtr Resolve(string name, System.Reflection.Assembly assembly, DllImportSearchPath? searchPath)
        {
            return name == SsisNative.LibraryName ? library : IntPtr.Zero;
        }

        private static Type NativeLibraryType()
        {
            return typeof(object).Assembly.GetType("System.Runtime.InteropServices.NativeLibrary", false);
        }

        /// <summary>Windows: LoadLibraryW (the .NET Framework preload); IntPtr.Zero on failure,
        /// with the Win32 error in Marshal.GetLastWin32Error().</summary>
        [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true, ExactSpelling = true)]
        public static extern IntPtr LoadLibraryW(string lpLibFileName);
    }

    /// <summary>Reads top-level string properties of a JSON object (enough for error objects;
    /// PowerShell parses results with ConvertFrom-Json).</summary>
    public static class JsonText
    {
        /// <summary>The string value of the top-level property `key`, or null.</summary>
        public static string TopLevelString(string json, string key)
        {
            string value;
            bool isString;
            if (Find(json, key, out value, out isString) && isString)
            {
                return value;
            }
            return null;
        }

        /// <summary>The JSON text of the top-level property `key` when it is not a string
        /// (an object, array, number or literal), or null.</summary>
        public static string TopLevelRaw(string json, string key)
        {
            string value;
            bool isString;
            if (Find(json, key, out value, out isString) && !isString)
            {
                return value;
            }
            return null;
        }

        /// <summary>The integer value of the top-level property `key`, or null.</summary>
        public static long? TopLevelInteger(string json, string key)
        {
            string raw = TopLevelRaw(json, key);
            long n;
            if (raw != null && long.TryParse(raw.Trim(), System.Globalization.NumberStyles.Integer,
                System.Globalization.CultureInfo.InvariantCulture, out n))
            {
                return n;
            }
            return null;
        }

        private static bool Find(string json, string key, out string found, out bool isString)
        {
            found = null;
            isString = false;
            if (json == null)
            {
                return false;
            }
            int i = SkipSpace(json, 0);
            if (i >= json.Length || json[i] != '{')
            {
                return false;
            }
            i++;
            while (true)
            {
                i = SkipSpace(json, i);
                if (i >= json.Length || json[i] == '}')
                {
                    return false;
                }
                string name;
                i = ReadString(json, i, out name);
                if (i < 0)
                {
                    return false;
                }
                i = SkipSpace(json, i);
                if (i >= json.Length || json[i] != ':')
                {
                    return false;
                }
                i = SkipSpace(json, i + 1);
                if (i < json.Length && json[i] == '"')
                {
                    string value;
                    i = ReadString(json, i, out value);
                    if (i < 0)
                    {
                        return false;
                    }
                    if (name == key)
                    {
                        found = value;
                        isString = true;
                        return true;
                    }
                }
                else
                {
                    int start = i;
                    i = SkipValue(json, i);
                    if (i < 0)
                    {
                        return false;
                    }
                    if (name == key)
                    {
                        found = json.Substring(start, i - start).Trim();
                        return true;
                    }
                }
                i = SkipSpace(json, i);
                if (i < json.Length && json[i] == ',')
                {
                    i++;
                }
            }
        }

        private static int SkipSpace(string s, int i)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i]))
            {
                i++;
            }
            return i;
        }

        /// <summary>Reads the string literal at s[i] (a quote); returns the index after it, or -1.</summary>
        private static int ReadString(string s, int i, out string value)
        {
            value = null;
            if (i >= s.Length || s[i] != '"')
            {
                return -1;
            }
            StringBuilder sb = new StringBuilder();
            i++;
            while (i < s.Length)
            {
                char c = s[i];
                if (c == '"')
                {
                    value = sb.ToString();
                    return i + 1;
                }
                if (c == '\\')
                {
                    if (i + 1 >= s.Length)
                    {
                        return -1;
                    }
                    char e = s[i + 1];
                    switch (e)
                    {
                        case 'n': sb.Append('\n'); break;
                        case 't': sb.Append('\t'); break;
                        case 'r': sb.Append('\r'); break;
                        case 'b': sb.Append('\b'); break;
                        case 'f': sb.Append('\f'); break;
                        case 'u':
                            if (i + 5 >= s.Length)
                            {
                                return -1;
                            }
                            sb.Append((char)Convert.ToInt32(s.Substring(i + 2, 4), 16));
                            i += 4;
                            break;
                        default: sb.Append(e); break;
                    }
                    i += 2;
                    continue;
                }
                sb.Append(c);
                i++;
            }
            return -1;
        }

        /// <summary>Skips a non-string value (number, literal, object, array).</summary>
        private static int SkipValue(string s, int i)
        {
            int depth = 0;
            while (i < s.Length)
            {
                char c = s[i];
                if (c == '"')
                {
                    string ignored;
                    i = ReadString(s, i, out ignored);
                    if (i < 0)
                    {
                        return -1;
                    }
                    continue;
                }
                if (c == '{' || c == '[')
                {
                    depth++;
                }
                else if (c == '}' || c == ']')
                {
                    if (depth == 0)
                    {
                        return i;
                    }
                    depth--;
                }
                else if (c == ',' && depth == 0)
                {
                    return i;
                }
                i++;
                if (depth == 0 && (c == '}' || c == ']'))
                {
                    return i;
                }
            }
            return i;
        }
    }
}
