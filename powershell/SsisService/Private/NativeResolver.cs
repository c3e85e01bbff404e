// PowerShell 7 only (.NET Core 3.0+): points the DllImport("ssis_service") of the
// Add-Type-compiled SsisNative assembly at the library the module loaded by absolute path.
// Add-Type compiles in memory, so .NET cannot find a library "next to the assembly" itself.
// Windows PowerShell 5.1 preloads the library with LoadLibraryW instead (Private/NativeLibrary.ps1).
using System;
using System.Reflection;
using System.Runtime.InteropServices;

namespace SsisService.Loader
{
    /// <summary>The DllImport resolver of the SsisNative assembly.</summary>
    public static class NativeResolver
    {
        private static IntPtr library = IntPtr.Zero;
        private static Assembly registered;

        /// <summary>The handle the resolver hands out (IntPtr.Zero before Register).</summary>
        public static IntPtr Library
        {
            get { return library; }
        }

        /// <summary>Answers DllImport("ssis_service") in <paramref name="assembly"/> with
        /// <paramref name="handle"/>. A second call for the same assembly (module imported
        /// again) keeps the first resolver: .NET allows one per assembly.</summary>
        public static void Register(Assembly assembly, IntPtr handle)
        {
            if (registered == assembly)
            {
                return;
            }
            library = handle;
            NativeLibrary.SetDllImportResolver(assembly, Resolve);
            registered = assembly;
        }

        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (name == "ssis_service")
            {
                return library;
            }
            return IntPtr.Zero;
        }
    }
}
