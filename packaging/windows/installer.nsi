; NSIS installer for vscpl2drv-websocksrv on Windows x86-64.
; The installer itself is a 64-bit program (amd64-unicode stub): it only
; makes sense on 64-bit Windows, and it runs under a 64-bit-only Wine in the
; package tests. File times are not recorded (SetDateSave off), so two builds
; from one commit are byte-identical.
; Built by `make package`:
;   makensis /DVERSION=<x.y.z-b> /DDISTDIR=<dir with dll/exe/h> /DSRCDIR=<repo root> /DOUTFILE=<setup.exe> installer.nsi
Target amd64-unicode
SetCompressor /SOLID lzma
SetDateSave off

!ifndef VERSION
  !error "pass the version with /DVERSION=..."
!endif
!ifndef DISTDIR
  !error "pass the directory holding the DLL and exe with /DDISTDIR=..."
!endif
!ifndef SRCDIR
  !error "pass the repository root with /DSRCDIR=..."
!endif
!ifndef OUTFILE
  !define OUTFILE "vscpl2drv-websocksrv-${VERSION}-setup.exe"
!endif

!define PRODUCT "vscpl2drv-websocksrv"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${PRODUCT}"

!include "x64.nsh"

Name "${PRODUCT} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\VSCP\${PRODUCT}"
InstallDirRegKey HKLM "${UNINSTKEY}" "InstallLocation"
RequestExecutionLevel admin
ShowInstDetails show
ShowUninstDetails show

Page license
Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles
LicenseData "${SRCDIR}\LICENSE"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${PRODUCT} requires 64-bit Windows."
    Abort
  ${EndIf}
  SetRegView 64
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Section "Driver" SecDriver
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "${DISTDIR}\vscpl2drv-websocksrv.dll"
  File "${DISTDIR}\vscpl2drv-websocksrv.exe"

  SetOutPath "$INSTDIR\include"
  File "${DISTDIR}\vscpl2drv-websocksrv.h"

  ; Samples only; nothing is activated.
  SetOutPath "$INSTDIR\samples"
  File /oname=websocksrv.json "${SRCDIR}\configs\websocksrv-vscpd.json"
  File "${SRCDIR}\configs\websocksrv-mqtt.json"
  File "${SRCDIR}\configs\users.json"
  File "${SRCDIR}\configs\users-md5.json"
  File "${SRCDIR}\configs\vscpd-driver-entry.json"
  File "${SRCDIR}\configs\README.md"

  SetOutPath "$INSTDIR\doc"
  File "${SRCDIR}\README.md"
  File "${SRCDIR}\LICENSE"
  File "${SRCDIR}\docs\*.md"

  WriteUninstaller "$INSTDIR\uninstall.exe"

  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${PRODUCT} ${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "VSCP"
  WriteRegStr HKLM "${UNINSTKEY}" "URLInfoAbout" "https://www.vscp.org"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1

  SetShellVarContext all
  CreateDirectory "$SMPROGRAMS\${PRODUCT}"
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\README.lnk" "$INSTDIR\doc\README.md"
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\Documentation.lnk" "$INSTDIR\doc"
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\Uninstall.lnk" "$INSTDIR\uninstall.exe"
SectionEnd

Section "Uninstall"
  SetShellVarContext all
  Delete "$SMPROGRAMS\${PRODUCT}\README.lnk"
  Delete "$SMPROGRAMS\${PRODUCT}\Documentation.lnk"
  Delete "$SMPROGRAMS\${PRODUCT}\Uninstall.lnk"
  RMDir "$SMPROGRAMS\${PRODUCT}"

  Delete "$INSTDIR\vscpl2drv-websocksrv.dll"
  Delete "$INSTDIR\vscpl2drv-websocksrv.exe"
  RMDir /r "$INSTDIR\include"
  RMDir /r "$INSTDIR\samples"
  RMDir /r "$INSTDIR\doc"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  RMDir "$PROGRAMFILES64\VSCP"

  DeleteRegKey HKLM "${UNINSTKEY}"
SectionEnd
