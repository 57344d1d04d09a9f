/*
 * slots.h - the one list of COM vtable slots this host relies on.
 *
 * Each list is the interface's methods in vtable order, from IUnknown's three
 * on; a method's slot is its position. Written from the runtime's public
 * corprof.idl and cor.h (method order only). The derived enums give each
 * slot a name, and the static asserts pin the slots the host calls to the
 * numbers in those files, so a mistake in a list fails the build.
 *
 * X(method, interface-that-introduced-it)
 */
#ifndef NRP_CLR_SLOTS_H
#define NRP_CLR_SLOTS_H

#define NRP_IUNKNOWN_SLOTS(X) \
    X(QueryInterface, IUnknown) \
    X(AddRef, IUnknown) \
    X(Release, IUnknown)

/* ICorProfilerCallback .. ICorProfilerCallback11 */
#define NRP_CALLBACK_SLOTS(X) \
    NRP_IUNKNOWN_SLOTS(X) \
    X(Initialize, ICorProfilerCallback) \
    X(Shutdown, ICorProfilerCallback) \
    X(AppDomainCreationStarted, ICorProfilerCallback) \
    X(AppDomainCreationFinished, ICorProfilerCallback) \
    X(AppDomainShutdownStarted, ICorProfilerCallback) \
    X(AppDomainShutdownFinished, ICorProfilerCallback) \
    X(AssemblyLoadStarted, ICorProfilerCallback) \
    X(AssemblyLoadFinished, ICorProfilerCallback) \
    X(AssemblyUnloadStarted, ICorProfilerCallback) \
    X(AssemblyUnloadFinished, ICorProfilerCallback) \
    X(ModuleLoadStarted, ICorProfilerCallback) \
    X(ModuleLoadFinished, ICorProfilerCallback) \
    X(ModuleUnloadStarted, ICorProfilerCallback) \
    X(ModuleUnloadFinished, ICorProfilerCallback) \
    X(ModuleAttachedToAssembly, ICorProfilerCallback) \
    X(ClassLoadStarted, ICorProfilerCallback) \
    X(ClassLoadFinished, ICorProfilerCallback) \
    X(ClassUnloadStarted, ICorProfilerCallback) \
    X(ClassUnloadFinished, ICorProfilerCallback) \
    X(FunctionUnloadStarted, ICorProfilerCallback) \
    X(JITCompilationStarted, ICorProfilerCallback) \
    X(JITCompilationFinished, ICorProfilerCallback) \
    X(JITCachedFunctionSearchStarted, ICorProfilerCallback) \
    X(JITCachedFunctionSearchFinished, ICorProfilerCallback) \
    X(JITFunctionPitched, ICorProfilerCallback) \
    X(JITInlining, ICorProfilerCallback) \
    X(ThreadCreated, ICorProfilerCallback) \
    X(ThreadDestroyed, ICorProfilerCallback) \
    X(ThreadAssignedToOSThread, ICorProfilerCallback) \
    X(RemotingClientInvocationStarted, ICorProfilerCallback) \
    X(RemotingClientSendingMessage, ICorProfilerCallback) \
    X(RemotingClientReceivingReply, ICorProfilerCallback) \
    X(RemotingClientInvocationFinished, ICorProfilerCallback) \
    X(RemotingServerReceivingMessage, ICorProfilerCallback) \
    X(RemotingServerInvocationStarted, ICorProfilerCallback) \
    X(RemotingServerInvocationReturned, ICorProfilerCallback) \
    X(RemotingServerSendingReply, ICorProfilerCallback) \
    X(UnmanagedToManagedTransition, ICorProfilerCallback) \
    X(ManagedToUnmanagedTransition, ICorProfilerCallback) \
    X(RuntimeSuspendStarted, ICorProfilerCallback) \
    X(RuntimeSuspendFinished, ICorProfilerCallback) \
    X(RuntimeSuspendAborted, ICorProfilerCallback) \
    X(RuntimeResumeStarted, ICorProfilerCallback) \
    X(RuntimeResumeFinished, ICorProfilerCallback) \
    X(RuntimeThreadSuspended, ICorProfilerCallback) \
    X(RuntimeThreadResumed, ICorProfilerCallback) \
    X(MovedReferences, ICorProfilerCallback) \
    X(ObjectAllocated, ICorProfilerCallback) \
    X(ObjectsAllocatedByClass, ICorProfilerCallback) \
    X(ObjectReferences, ICorProfilerCallback) \
    X(RootReferences, ICorProfilerCallback) \
    X(ExceptionThrown, ICorProfilerCallback) \
    X(ExceptionSearchFunctionEnter, ICorProfilerCallback) \
    X(ExceptionSearchFunctionLeave, ICorProfilerCallback) \
    X(ExceptionSearchFilterEnter, ICorProfilerCallback) \
    X(ExceptionSearchFilterLeave, ICorProfilerCallback) \
    X(ExceptionSearchCatcherFound, ICorProfilerCallback) \
    X(ExceptionOSHandlerEnter, ICorProfilerCallback) \
    X(ExceptionOSHandlerLeave, ICorProfilerCallback) \
    X(ExceptionUnwindFunctionEnter, ICorProfilerCallback) \
    X(ExceptionUnwindFunctionLeave, ICorProfilerCallback) \
    X(ExceptionUnwindFinallyEnter, ICorProfilerCallback) \
    X(ExceptionUnwindFinallyLeave, ICorProfilerCallback) \
    X(ExceptionCatcherEnter, ICorProfilerCallback) \
    X(ExceptionCatcherLeave, ICorProfilerCallback) \
    X(COMClassicVTableCreated, ICorProfilerCallback) \
    X(COMClassicVTableDestroyed, ICorProfilerCallback) \
    X(ExceptionCLRCatcherFound, ICorProfilerCallback) \
    X(ExceptionCLRCatcherExecute, ICorProfilerCallback) \
    X(ThreadNameChanged, ICorProfilerCallback2) \
    X(GarbageCollectionStarted, ICorProfilerCallback2) \
    X(SurvivingReferences, ICorProfilerCallback2) \
    X(GarbageCollectionFinished, ICorProfilerCallback2) \
    X(FinalizeableObjectQueued, ICorProfilerCallback2) \
    X(RootReferences2, ICorProfilerCallback2) \
    X(HandleCreated, ICorProfilerCallback2) \
    X(HandleDestroyed, ICorProfilerCallback2) \
    X(InitializeForAttach, ICorProfilerCallback3) \
    X(ProfilerAttachComplete, ICorProfilerCallback3) \
    X(ProfilerDetachSucceeded, ICorProfilerCallback3) \
    X(ReJITCompilationStarted, ICorProfilerCallback4) \
    X(GetReJITParameters, ICorProfilerCallback4) \
    X(ReJITCompilationFinished, ICorProfilerCallback4) \
    X(ReJITError, ICorProfilerCallback4) \
    X(MovedReferences2, ICorProfilerCallback4) \
    X(SurvivingReferences2, ICorProfilerCallback4) \
    X(ConditionalWeakTableElementReferences, ICorProfilerCallback5) \
    X(GetAssemblyReferences, ICorProfilerCallback6) \
    X(ModuleInMemorySymbolsUpdated, ICorProfilerCallback7) \
    X(DynamicMethodJITCompilationStarted, ICorProfilerCallback8) \
    X(DynamicMethodJITCompilationFinished, ICorProfilerCallback8) \
    X(DynamicMethodUnloaded, ICorProfilerCallback9) \
    X(EventPipeEventDelivered, ICorProfilerCallback10) \
    X(EventPipeProviderCreated, ICorProfilerCallback10) \
    X(LoadAsNotificationOnly, ICorProfilerCallback11)

/* ICorProfilerInfo .. ICorProfilerInfo12 */
#define NRP_INFO_SLOTS(X) \
    NRP_IUNKNOWN_SLOTS(X) \
    X(GetClassFromObject, ICorProfilerInfo) \
    X(GetClassFromToken, ICorProfilerInfo) \
    X(GetCodeInfo, ICorProfilerInfo) \
    X(GetEventMask, ICorProfilerInfo) \
    X(GetFunctionFromIP, ICorProfilerInfo) \
    X(GetFunctionFromToken, ICorProfilerInfo) \
    X(GetHandleFromThread, ICorProfilerInfo) \
    X(GetObjectSize, ICorProfilerInfo) \
    X(IsArrayClass, ICorProfilerInfo) \
    X(GetThreadInfo, ICorProfilerInfo) \
    X(GetCurrentThreadID, ICorProfilerInfo) \
    X(GetClassIDInfo, ICorProfilerInfo) \
    X(GetFunctionInfo, ICorProfilerInfo) \
    X(SetEventMask, ICorProfilerInfo) \
    X(SetEnterLeaveFunctionHooks, ICorProfilerInfo) \
    X(SetFunctionIDMapper, ICorProfilerInfo) \
    X(GetTokenAndMetaDataFromFunction, ICorProfilerInfo) \
    X(GetModuleInfo, ICorProfilerInfo) \
    X(GetModuleMetaData, ICorProfilerInfo) \
    X(GetILFunctionBody, ICorProfilerInfo) \
    X(GetILFunctionBodyAllocator, ICorProfilerInfo) \
    X(SetILFunctionBody, ICorProfilerInfo) \
    X(GetAppDomainInfo, ICorProfilerInfo) \
    X(GetAssemblyInfo, ICorProfilerInfo) \
    X(SetFunctionReJIT, ICorProfilerInfo) \
    X(ForceGC, ICorProfilerInfo) \
    X(SetILInstrumentedCodeMap, ICorProfilerInfo) \
    X(GetInprocInspectionInterface, ICorProfilerInfo) \
    X(GetInprocInspectionIThisThread, ICorProfilerInfo) \
    X(GetThreadContext, ICorProfilerInfo) \
    X(BeginInprocDebugging, ICorProfilerInfo) \
    X(EndInprocDebugging, ICorProfilerInfo) \
    X(GetILToNativeMapping, ICorProfilerInfo) \
    X(DoStackSnapshot, ICorProfilerInfo2) \
    X(SetEnterLeaveFunctionHooks2, ICorProfilerInfo2) \
    X(GetFunctionInfo2, ICorProfilerInfo2) \
    X(GetStringLayout, ICorProfilerInfo2) \
    X(GetClassLayout, ICorProfilerInfo2) \
    X(GetClassIDInfo2, ICorProfilerInfo2) \
    X(GetCodeInfo2, ICorProfilerInfo2) \
    X(GetClassFromTokenAndTypeArgs, ICorProfilerInfo2) \
    X(GetFunctionFromTokenAndTypeArgs, ICorProfilerInfo2) \
    X(EnumModuleFrozenObjects, ICorProfilerInfo2) \
    X(GetArrayObjectInfo, ICorProfilerInfo2) \
    X(GetBoxClassLayout, ICorProfilerInfo2) \
    X(GetThreadAppDomain, ICorProfilerInfo2) \
    X(GetRVAStaticAddress, ICorProfilerInfo2) \
    X(GetAppDomainStaticAddress, ICorProfilerInfo2) \
    X(GetThreadStaticAddress, ICorProfilerInfo2) \
    X(GetContextStaticAddress, ICorProfilerInfo2) \
    X(GetStaticFieldInfo, ICorProfilerInfo2) \
    X(GetGenerationBounds, ICorProfilerInfo2) \
    X(GetObjectGeneration, ICorProfilerInfo2) \
    X(GetNotifiedExceptionClauseInfo, ICorProfilerInfo2) \
    X(EnumJITedFunctions, ICorProfilerInfo3) \
    X(RequestProfilerDetach, ICorProfilerInfo3) \
    X(SetFunctionIDMapper2, ICorProfilerInfo3) \
    X(GetStringLayout2, ICorProfilerInfo3) \
    X(SetEnterLeaveFunctionHooks3, ICorProfilerInfo3) \
    X(SetEnterLeaveFunctionHooks3WithInfo, ICorProfilerInfo3) \
    X(GetFunctionEnter3Info, ICorProfilerInfo3) \
    X(GetFunctionLeave3Info, ICorProfilerInfo3) \
    X(GetFunctionTailcall3Info, ICorProfilerInfo3) \
    X(EnumModules, ICorProfilerInfo3) \
    X(GetRuntimeInformation, ICorProfilerInfo3) \
    X(GetThreadStaticAddress2, ICorProfilerInfo3) \
    X(GetAppDomainsContainingModule, ICorProfilerInfo3) \
    X(GetModuleInfo2, ICorProfilerInfo3) \
    X(EnumThreads, ICorProfilerInfo4) \
    X(InitializeCurrentThread, ICorProfilerInfo4) \
    X(RequestReJIT, ICorProfilerInfo4) \
    X(RequestRevert, ICorProfilerInfo4) \
    X(GetCodeInfo3, ICorProfilerInfo4) \
    X(GetFunctionFromIP2, ICorProfilerInfo4) \
    X(GetReJITIDs, ICorProfilerInfo4) \
    X(GetILToNativeMapping2, ICorProfilerInfo4) \
    X(EnumJITedFunctions2, ICorProfilerInfo4) \
    X(GetObjectSize2, ICorProfilerInfo4) \
    X(GetEventMask2, ICorProfilerInfo5) \
    X(SetEventMask2, ICorProfilerInfo5) \
    X(EnumNgenModuleMethodsInliningThisMethod, ICorProfilerInfo6) \
    X(ApplyMetaData, ICorProfilerInfo7) \
    X(GetInMemorySymbolsLength, ICorProfilerInfo7) \
    X(ReadInMemorySymbols, ICorProfilerInfo7) \
    X(IsFunctionDynamic, ICorProfilerInfo8) \
    X(GetFunctionFromIP3, ICorProfilerInfo8) \
    X(GetDynamicFunctionInfo, ICorProfilerInfo8) \
    X(GetNativeCodeStartAddresses, ICorProfilerInfo9) \
    X(GetILToNativeMapping3, ICorProfilerInfo9) \
    X(GetCodeInfo4, ICorProfilerInfo9) \
    X(EnumerateObjectReferences, ICorProfilerInfo10) \
    X(IsFrozenObject, ICorProfilerInfo10) \
    X(GetLOHObjectSizeThreshold, ICorProfilerInfo10) \
    X(RequestReJITWithInliners, ICorProfilerInfo10) \
    X(SuspendRuntime, ICorProfilerInfo10) \
    X(ResumeRuntime, ICorProfilerInfo10) \
    X(GetEnvironmentVariable, ICorProfilerInfo11) \
    X(SetEnvironmentVariable, ICorProfilerInfo11) \
    X(EventPipeStartSession, ICorProfilerInfo12) \
    X(EventPipeAddProviderToSession, ICorProfilerInfo12) \
    X(EventPipeStopSession, ICorProfilerInfo12) \
    X(EventPipeCreateProvider, ICorProfilerInfo12) \
    X(EventPipeGetProviderInfo, ICorProfilerInfo12) \
    X(EventPipeDefineEvent, ICorProfilerInfo12) \
    X(EventPipeWriteEvent, ICorProfilerInfo12)

/* IMetaDataImport, then IMetaDataImport2 */
#define NRP_MDIMPORT_SLOTS(X) \
    NRP_IUNKNOWN_SLOTS(X) \
    X(CloseEnum, IMetaDataImport) \
    X(CountEnum, IMetaDataImport) \
    X(ResetEnum, IMetaDataImport) \
    X(EnumTypeDefs, IMetaDataImport) \
    X(EnumInterfaceImpls, IMetaDataImport) \
    X(EnumTypeRefs, IMetaDataImport) \
    X(FindTypeDefByName, IMetaDataImport) \
    X(GetScopeProps, IMetaDataImport) \
    X(GetModuleFromScope, IMetaDataImport) \
    X(GetTypeDefProps, IMetaDataImport) \
    X(GetInterfaceImplProps, IMetaDataImport) \
    X(GetTypeRefProps, IMetaDataImport) \
    X(ResolveTypeRef, IMetaDataImport) \
    X(EnumMembers, IMetaDataImport) \
    X(EnumMembersWithName, IMetaDataImport) \
    X(EnumMethods, IMetaDataImport) \
    X(EnumMethodsWithName, IMetaDataImport) \
    X(EnumFields, IMetaDataImport) \
    X(EnumFieldsWithName, IMetaDataImport) \
    X(EnumParams, IMetaDataImport) \
    X(EnumMemberRefs, IMetaDataImport) \
    X(EnumMethodImpls, IMetaDataImport) \
    X(EnumPermissionSets, IMetaDataImport) \
    X(FindMember, IMetaDataImport) \
    X(FindMethod, IMetaDataImport) \
    X(FindField, IMetaDataImport) \
    X(FindMemberRef, IMetaDataImport) \
    X(GetMethodProps, IMetaDataImport) \
    X(GetMemberRefProps, IMetaDataImport) \
    X(EnumProperties, IMetaDataImport) \
    X(EnumEvents, IMetaDataImport) \
    X(GetEventProps, IMetaDataImport) \
    X(EnumMethodSemantics, IMetaDataImport) \
    X(GetMethodSemantics, IMetaDataImport) \
    X(GetClassLayout, IMetaDataImport) \
    X(GetFieldMarshal, IMetaDataImport) \
    X(GetRVA, IMetaDataImport) \
    X(GetPermissionSetProps, IMetaDataImport) \
    X(GetSigFromToken, IMetaDataImport) \
    X(GetModuleRefProps, IMetaDataImport) \
    X(EnumModuleRefs, IMetaDataImport) \
    X(GetTypeSpecFromToken, IMetaDataImport) \
    X(GetNameFromToken, IMetaDataImport) \
    X(EnumUnresolvedMethods, IMetaDataImport) \
    X(GetUserString, IMetaDataImport) \
    X(GetPinvokeMap, IMetaDataImport) \
    X(EnumSignatures, IMetaDataImport) \
    X(EnumTypeSpecs, IMetaDataImport) \
    X(EnumUserStrings, IMetaDataImport) \
    X(GetParamForMethodIndex, IMetaDataImport) \
    X(EnumCustomAttributes, IMetaDataImport) \
    X(GetCustomAttributeProps, IMetaDataImport) \
    X(FindTypeRef, IMetaDataImport) \
    X(GetMemberProps, IMetaDataImport) \
    X(GetFieldProps, IMetaDataImport) \
    X(GetPropertyProps, IMetaDataImport) \
    X(GetParamProps, IMetaDataImport) \
    X(GetCustomAttributeByName, IMetaDataImport) \
    X(IsValidToken, IMetaDataImport) \
    X(GetNestedClassProps, IMetaDataImport) \
    X(GetNativeCallConvFromSig, IMetaDataImport) \
    X(IsGlobal, IMetaDataImport) \
    X(EnumGenericParams, IMetaDataImport2) \
    X(GetGenericParamProps, IMetaDataImport2) \
    X(GetMethodSpecProps, IMetaDataImport2) \
    X(EnumGenericParamConstraints, IMetaDataImport2) \
    X(GetGenericParamConstraintProps, IMetaDataImport2) \
    X(GetPEKind, IMetaDataImport2) \
    X(GetVersionString, IMetaDataImport2) \
    X(EnumMethodSpecs, IMetaDataImport2)

/* IMetaDataEmit, then the start of IMetaDataEmit2 (which extends it) */
#define NRP_MDEMIT_SLOTS(X) \
    NRP_IUNKNOWN_SLOTS(X) \
    X(SetModuleProps, IMetaDataEmit) \
    X(Save, IMetaDataEmit) \
    X(SaveToStream, IMetaDataEmit) \
    X(GetSaveSize, IMetaDataEmit) \
    X(DefineTypeDef, IMetaDataEmit) \
    X(DefineNestedType, IMetaDataEmit) \
    X(SetHandler, IMetaDataEmit) \
    X(DefineMethod, IMetaDataEmit) \
    X(DefineMethodImpl, IMetaDataEmit) \
    X(DefineTypeRefByName, IMetaDataEmit) \
    X(DefineImportType, IMetaDataEmit) \
    X(DefineMemberRef, IMetaDataEmit) \
    X(DefineImportMember, IMetaDataEmit) \
    X(DefineEvent, IMetaDataEmit) \
    X(SetClassLayout, IMetaDataEmit) \
    X(DeleteClassLayout, IMetaDataEmit) \
    X(SetFieldMarshal, IMetaDataEmit) \
    X(DeleteFieldMarshal, IMetaDataEmit) \
    X(DefinePermissionSet, IMetaDataEmit) \
    X(SetRVA, IMetaDataEmit) \
    X(GetTokenFromSig, IMetaDataEmit) \
    X(DefineModuleRef, IMetaDataEmit) \
    X(SetParent, IMetaDataEmit) \
    X(GetTokenFromTypeSpec, IMetaDataEmit) \
    X(SaveToMemory, IMetaDataEmit) \
    X(DefineUserString, IMetaDataEmit) \
    X(DeleteToken, IMetaDataEmit) \
    X(SetMethodProps, IMetaDataEmit) \
    X(SetTypeDefProps, IMetaDataEmit) \
    X(SetEventProps, IMetaDataEmit) \
    X(SetPermissionSetProps, IMetaDataEmit) \
    X(DefinePinvokeMap, IMetaDataEmit) \
    X(SetPinvokeMap, IMetaDataEmit) \
    X(DeletePinvokeMap, IMetaDataEmit) \
    X(DefineCustomAttribute, IMetaDataEmit) \
    X(SetCustomAttributeValue, IMetaDataEmit) \
    X(DefineField, IMetaDataEmit) \
    X(DefineProperty, IMetaDataEmit) \
    X(DefineParam, IMetaDataEmit) \
    X(SetFieldProps, IMetaDataEmit) \
    X(SetPropertyProps, IMetaDataEmit) \
    X(SetParamProps, IMetaDataEmit) \
    X(DefineSecurityAttributeSet, IMetaDataEmit) \
    X(ApplyEditAndContinue, IMetaDataEmit) \
    X(TranslateSigWithScope, IMetaDataEmit) \
    X(SetMethodImplFlags, IMetaDataEmit) \
    X(SetFieldRVA, IMetaDataEmit) \
    X(Merge, IMetaDataEmit) \
    X(MergeEnd, IMetaDataEmit) \
    X(DefineMethodSpec, IMetaDataEmit2) \
    X(GetDeltaSaveSize, IMetaDataEmit2) \
    X(SaveDelta, IMetaDataEmit2) \
    X(SaveDeltaToStream, IMetaDataEmit2) \
    X(SaveDeltaToMemory, IMetaDataEmit2) \
    X(DefineGenericParam, IMetaDataEmit2)

/* ICorProfilerFunctionControl */
#define NRP_FUNCTION_CONTROL_SLOTS(X) \
    NRP_IUNKNOWN_SLOTS(X) \
    X(SetCodegenFlags, ICorProfilerFunctionControl) \
    X(SetILFunctionBody, ICorProfilerFunctionControl) \
    X(SetILInstrumentedCodeMap, ICorProfilerFunctionControl)

/* IMethodMalloc: where a body handed to ICorProfilerInfo::SetILFunctionBody lives */
#define NRP_METHOD_MALLOC_SLOTS(X) \
    NRP_IUNKNOWN_SLOTS(X) \
    X(Alloc, IMethodMalloc)

/* IMetaDataAssemblyImport */
#define NRP_MDASM_SLOTS(X) \
    NRP_IUNKNOWN_SLOTS(X) \
    X(GetAssemblyProps, IMetaDataAssemblyImport) \
    X(GetAssemblyRefProps, IMetaDataAssemblyImport) \
    X(GetFileProps, IMetaDataAssemblyImport) \
    X(GetExportedTypeProps, IMetaDataAssemblyImport) \
    X(GetManifestResourceProps, IMetaDataAssemblyImport) \
    X(EnumAssemblyRefs, IMetaDataAssemblyImport) \
    X(EnumFiles, IMetaDataAssemblyImport) \
    X(EnumExportedTypes, IMetaDataAssemblyImport) \
    X(EnumManifestResources, IMetaDataAssemblyImport) \
    X(GetAssemblyFromScope, IMetaDataAssemblyImport) \
    X(FindExportedTypeByName, IMetaDataAssemblyImport) \
    X(FindManifestResourceByName, IMetaDataAssemblyImport) \
    X(CloseEnum, IMetaDataAssemblyImport) \
    X(FindAssembliesByName, IMetaDataAssemblyImport)

/* IMetaDataAssemblyEmit */
#define NRP_MDAE_SLOTS(X) \
    NRP_IUNKNOWN_SLOTS(X) \
    X(DefineAssembly, IMetaDataAssemblyEmit) \
    X(DefineAssemblyRef, IMetaDataAssemblyEmit) \
    X(DefineFile, IMetaDataAssemblyEmit) \
    X(DefineExportedType, IMetaDataAssemblyEmit) \
    X(DefineManifestResource, IMetaDataAssemblyEmit) \
    X(SetAssemblyProps, IMetaDataAssemblyEmit) \
    X(SetAssemblyRefProps, IMetaDataAssemblyEmit) \
    X(SetFileProps, IMetaDataAssemblyEmit) \
    X(SetExportedTypeProps, IMetaDataAssemblyEmit) \
    X(SetManifestResourceProps, IMetaDataAssemblyEmit)

/* ICorProfilerModuleEnum (ICorProfilerInfo3::EnumModules) */
#define NRP_MODULE_ENUM_SLOTS(X) \
    NRP_IUNKNOWN_SLOTS(X) \
    X(Skip, ICorProfilerModuleEnum) \
    X(Reset, ICorProfilerModuleEnum) \
    X(Clone, ICorProfilerModuleEnum) \
    X(GetCount, ICorProfilerModuleEnum) \
    X(Next, ICorProfilerModuleEnum)

/* IClassFactory */
#define NRP_CLASS_FACTORY_SLOTS(X) \
    NRP_IUNKNOWN_SLOTS(X) \
    X(CreateInstance, IClassFactory) \
    X(LockServer, IClassFactory) \

#define NRP_SLOT_ENUM_ENTRY(prefix, method) prefix##method,
#define NRP_UNK_ENTRY(method, iface) NRP_SLOT_ENUM_ENTRY(NRP_UNK_, method)
#define NRP_CB_ENTRY(method, iface) NRP_SLOT_ENUM_ENTRY(NRP_CB_, method)
#define NRP_INFO_ENTRY(method, iface) NRP_SLOT_ENUM_ENTRY(NRP_INFO_, method)
#define NRP_MDI_ENTRY(method, iface) NRP_SLOT_ENUM_ENTRY(NRP_MDI_, method)
#define NRP_MDE_ENTRY(method, iface) NRP_SLOT_ENUM_ENTRY(NRP_MDE_, method)
#define NRP_MDASM_ENTRY(method, iface) NRP_SLOT_ENUM_ENTRY(NRP_MDASM_, method)
#define NRP_MDAE_ENTRY(method, iface) NRP_SLOT_ENUM_ENTRY(NRP_MDAE_, method)
#define NRP_FC_ENTRY(method, iface) NRP_SLOT_ENUM_ENTRY(NRP_FC_, method)
#define NRP_MM_ENTRY(method, iface) NRP_SLOT_ENUM_ENTRY(NRP_MM_, method)
#define NRP_CF_ENTRY(method, iface) NRP_SLOT_ENUM_ENTRY(NRP_CF_, method)
#define NRP_ME_ENTRY(method, iface) NRP_SLOT_ENUM_ENTRY(NRP_ME_, method)

enum nrp_iunknown_slot { NRP_IUNKNOWN_SLOTS(NRP_UNK_ENTRY) NRP_UNK_SLOT_COUNT };
enum nrp_callback_slot { NRP_CALLBACK_SLOTS(NRP_CB_ENTRY) NRP_CB_SLOT_COUNT };
enum nrp_info_slot { NRP_INFO_SLOTS(NRP_INFO_ENTRY) NRP_INFO_SLOT_COUNT };
enum nrp_mdimport_slot { NRP_MDIMPORT_SLOTS(NRP_MDI_ENTRY) NRP_MDI_SLOT_COUNT };
enum nrp_mdemit_slot { NRP_MDEMIT_SLOTS(NRP_MDE_ENTRY) NRP_MDE_SLOT_COUNT };
enum nrp_mdasm_slot { NRP_MDASM_SLOTS(NRP_MDASM_ENTRY) NRP_MDASM_SLOT_COUNT };
enum nrp_mdae_slot { NRP_MDAE_SLOTS(NRP_MDAE_ENTRY) NRP_MDAE_SLOT_COUNT };
enum nrp_function_control_slot { NRP_FUNCTION_CONTROL_SLOTS(NRP_FC_ENTRY) NRP_FC_SLOT_COUNT };
enum nrp_method_malloc_slot { NRP_METHOD_MALLOC_SLOTS(NRP_MM_ENTRY) NRP_MM_SLOT_COUNT };
enum nrp_class_factory_slot { NRP_CLASS_FACTORY_SLOTS(NRP_CF_ENTRY) NRP_CF_SLOT_COUNT };
enum nrp_module_enum_slot { NRP_MODULE_ENUM_SLOTS(NRP_ME_ENTRY) NRP_ME_SLOT_COUNT };

/* Pinned against corprof.idl / cor.h. */
_Static_assert(NRP_CB_Initialize == 3, "ICorProfilerCallback::Initialize");
_Static_assert(NRP_CB_ModuleLoadFinished == 14, "ModuleLoadFinished");
_Static_assert(NRP_CB_InitializeForAttach == 80, "ICorProfilerCallback3 starts at 80");
_Static_assert(NRP_CB_GetReJITParameters == 84, "GetReJITParameters");
_Static_assert(NRP_CB_ReJITError == 86, "ReJITError");
_Static_assert(NRP_CB_SLOT_COUNT == 98, "ICorProfilerCallback11 has 98 slots");
_Static_assert(NRP_INFO_SetEventMask == 16, "SetEventMask");
_Static_assert(NRP_INFO_GetModuleInfo == 20, "GetModuleInfo");
_Static_assert(NRP_INFO_GetModuleMetaData == 21, "GetModuleMetaData");
_Static_assert(NRP_INFO_GetILFunctionBody == 22, "GetILFunctionBody");
_Static_assert(NRP_INFO_GetAssemblyInfo == 26, "GetAssemblyInfo");
_Static_assert(NRP_INFO_EnumModules == 66, "ICorProfilerInfo3::EnumModules");
_Static_assert(NRP_ME_Next == 7, "ICorProfilerModuleEnum::Next");
_Static_assert(NRP_INFO_InitializeCurrentThread == 72, "InitializeCurrentThread");
_Static_assert(NRP_INFO_RequestReJIT == 73, "RequestReJIT");
_Static_assert(NRP_INFO_RequestRevert == 74, "RequestRevert");
_Static_assert(NRP_INFO_SetEventMask2 == 82, "SetEventMask2");
_Static_assert(NRP_INFO_ApplyMetaData == 84, "ApplyMetaData");
_Static_assert(NRP_INFO_RequestReJITWithInliners == 96, "RequestReJITWithInliners");
_Static_assert(NRP_INFO_SLOT_COUNT == 108, "ICorProfilerInfo12 has 108 slots");
_Static_assert(NRP_MDI_CloseEnum == 3, "IMetaDataImport::CloseEnum");
_Static_assert(NRP_MDI_EnumTypeDefs == 6, "EnumTypeDefs");
_Static_assert(NRP_MDI_GetTypeDefProps == 12, "GetTypeDefProps");
_Static_assert(NRP_MDI_GetTypeRefProps == 14, "GetTypeRefProps");
_Static_assert(NRP_MDI_EnumMethods == 18, "EnumMethods");
_Static_assert(NRP_MDI_GetMethodProps == 30, "GetMethodProps");
_Static_assert(NRP_MDI_GetNestedClassProps == 62, "GetNestedClassProps");
_Static_assert(NRP_MDI_EnumGenericParams == 65, "IMetaDataImport2 starts at 65");
_Static_assert(NRP_MDI_GetMethodSpecProps == 67, "GetMethodSpecProps");
_Static_assert(NRP_MDI_GetMemberRefProps == 31, "GetMemberRefProps");
_Static_assert(NRP_MDI_GetSigFromToken == 41, "GetSigFromToken");
_Static_assert(NRP_MDI_EnumInterfaceImpls == 7, "EnumInterfaceImpls");
_Static_assert(NRP_MDI_FindTypeDefByName == 9, "FindTypeDefByName");
_Static_assert(NRP_MDI_GetInterfaceImplProps == 13, "GetInterfaceImplProps");
_Static_assert(NRP_MDI_GetTypeSpecFromToken == 44, "GetTypeSpecFromToken");
_Static_assert(NRP_MDI_EnumCustomAttributes == 53, "EnumCustomAttributes");
_Static_assert(NRP_MDI_GetCustomAttributeProps == 54, "GetCustomAttributeProps");
_Static_assert(NRP_MDI_GetCustomAttributeByName == 60, "GetCustomAttributeByName");
_Static_assert(NRP_MDASM_GetAssemblyRefProps == 4, "GetAssemblyRefProps");
_Static_assert(NRP_MDE_GetTokenFromSig == 23, "IMetaDataEmit::GetTokenFromSig");
_Static_assert(NRP_MDE_SLOT_COUNT == 58, "IMetaDataEmit has 52 slots, then IMetaDataEmit2 up to DefineGenericParam");
_Static_assert(NRP_MDASM_GetAssemblyProps == 3, "IMetaDataAssemblyImport::GetAssemblyProps");
_Static_assert(NRP_MDASM_GetAssemblyFromScope == 12, "GetAssemblyFromScope");
_Static_assert(NRP_MDE_DefineTypeRefByName == 12, "DefineTypeRefByName");
_Static_assert(NRP_MDE_DefineMemberRef == 14, "DefineMemberRef");
_Static_assert(NRP_MDE_GetTokenFromTypeSpec == 26, "GetTokenFromTypeSpec");
_Static_assert(NRP_MDE_DefineUserString == 28, "DefineUserString");
_Static_assert(NRP_MDE_DefineTypeDef == 7, "DefineTypeDef");
_Static_assert(NRP_MDE_DefineMethod == 10, "DefineMethod");
_Static_assert(NRP_MDE_DefineField == 39, "DefineField");
_Static_assert(NRP_MDE_DefineMethodSpec == 52, "IMetaDataEmit2 starts after IMetaDataEmit's 49 methods");
_Static_assert(NRP_MDE_DefineGenericParam == 57, "IMetaDataEmit2::DefineGenericParam");
_Static_assert(NRP_MDASM_EnumAssemblyRefs == 8, "EnumAssemblyRefs");
_Static_assert(NRP_MDASM_CloseEnum == 15, "IMetaDataAssemblyImport::CloseEnum");
_Static_assert(NRP_MDAE_DefineAssemblyRef == 4, "IMetaDataAssemblyEmit::DefineAssemblyRef");
_Static_assert(NRP_MDAE_SLOT_COUNT == 13, "IMetaDataAssemblyEmit has 13 slots");
_Static_assert(NRP_FC_SetILFunctionBody == 4, "ICorProfilerFunctionControl::SetILFunctionBody");
_Static_assert(NRP_MM_Alloc == 3, "IMethodMalloc::Alloc");
_Static_assert(NRP_INFO_GetFunctionInfo == 15, "ICorProfilerInfo::GetFunctionInfo");
_Static_assert(NRP_INFO_GetILFunctionBodyAllocator == 23, "ICorProfilerInfo::GetILFunctionBodyAllocator");
_Static_assert(NRP_INFO_SetILFunctionBody == 24, "ICorProfilerInfo::SetILFunctionBody");
_Static_assert(NRP_CB_JITCompilationStarted == 23, "ICorProfilerCallback::JITCompilationStarted");
_Static_assert(NRP_CF_CreateInstance == 3, "IClassFactory::CreateInstance");

#endif
